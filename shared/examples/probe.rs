use budget_policy::fsview::RealFs;
use budget_policy::shell::{ShellContext, analyse};
fn main() {
    let cwd = std::env::current_dir().unwrap_or_default();
    let ctx = ShellContext {
        cwd: cwd.clone(),
        home: Some("/home/u".into()),
        project_dir: cwd,
        fs: &RealFs,
    };
    for cmd in std::env::args().skip(1) {
        let t = std::time::Instant::now();
        let a = analyse(&cmd, &ctx);
        let el = t.elapsed();
        println!("== {cmd}   ({el:?})");
        for c in &a.commands {
            println!(
                "  cmd {:?}{}",
                c.argv,
                if c.transparent { " (t)" } else { "" }
            );
        }
        for e in &a.effects {
            println!("  eff {:?} {}", e.kind, e.path.display());
        }
        for n in &a.network {
            println!("  net {}", n.host);
        }
        for u in &a.unanalysable {
            println!(
                "  UNA {} :: {}",
                u.reason,
                u.text.chars().take(60).collect::<String>()
            );
        }
        for f in &a.feeds {
            println!("  feed {} <- {} {:?}", f.program, f.producer, f.text);
        }
        for p in ["destructive", "secrets", "deploy"] {
            for h in budget_policy::shell::semantic::pack_hits(p, &a, &ctx) {
                println!("  PACK {p}/{} {}", h.id, h.what);
            }
        }
    }
}
