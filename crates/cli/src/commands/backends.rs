//! `sakke backends`: the registry, for operators choosing `--backend`. Each backend
//! that can run is opened once (a GPU self-tests its kernels), so what is listed as
//! available opens.

use anyhow::Result;
use serde::Serialize;

#[derive(Serialize)]
struct Entry {
    name: &'static str,
    available: bool,
    description: String,
    unavailable_reason: Option<String>,
    /// A software emulation of the hardware: right answers, meaningless speed.
    software: bool,
}

pub fn run(json: bool) -> Result<()> {
    let entries: Vec<Entry> = engine::available()
        .into_iter()
        .map(engine::checked)
        .map(|b| Entry {
            name: b.name,
            available: b.unavailable.is_none(),
            description: b.description,
            unavailable_reason: b.unavailable,
            software: b.software,
        })
        .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&entries)?);
        return Ok(());
    }
    for e in &entries {
        match &e.unavailable_reason {
            None if e.software => println!(
                "{:<12} {} [software: correctness only]",
                e.name, e.description
            ),
            None => println!("{:<12} {}", e.name, e.description),
            Some(why) => println!("{:<12} unavailable: {why}", e.name),
        }
    }
    Ok(())
}
