//! Result files in bench-results/: a JSON document and its SVG plot, written side by side
//! under one name that no earlier run holds (earlier results are never replaced).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::output_file::{OutputError, OutputFile, OutputRules};

/// Writes <base>.json and <base>.svg into `dir`, creating it. A second run on the same
/// day becomes <base>-2, then -3, ...
pub fn write_pair(dir: &Path, base: &str, json: &str, svg: &str) -> Result<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for n in 1..1000 {
        let name = if n == 1 {
            base.to_string()
        } else {
            format!("{base}-{n}")
        };
        let json_path = dir.join(format!("{name}.json"));
        let svg_path = dir.join(format!("{name}.svg"));
        if json_path.exists() || svg_path.exists() {
            continue;
        }
        let rules = OutputRules::default();
        // Another run may take this name a moment ago: then try the next.
        let taken =
            |e: &OutputError| matches!(e, OutputError::Exists { .. } | OutputError::Busy { .. });
        let (mut json_file, mut svg_file) = match (
            OutputFile::create(&json_path, &rules),
            OutputFile::create(&svg_path, &rules),
        ) {
            (Ok(j), Ok(s)) => (j, s),
            (Err(e), _) | (_, Err(e)) if taken(&e) => continue,
            (Err(e), _) | (_, Err(e)) => return Err(e.into()),
        };
        json_file
            .write_all(json.as_bytes())
            .and_then(|()| svg_file.write_all(svg.as_bytes()))
            .with_context(|| format!("writing {}", json_path.display()))?;
        json_file.finish()?;
        svg_file.finish()?;
        return Ok((json_path, svg_path));
    }
    bail!("{} holds 999 result files named {base}-N", dir.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_run_gets_the_next_name_and_nothing_is_replaced() {
        let dir = std::env::temp_dir().join(format!("sakke-results-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = write_pair(&dir, "day-host-x", "{\"a\":1}\n", "<svg/>").unwrap();
        let second = write_pair(&dir, "day-host-x", "{\"a\":2}\n", "<svg/>").unwrap();
        assert_eq!(first.0, dir.join("day-host-x.json"));
        assert_eq!(second.0, dir.join("day-host-x-2.json"));
        assert_eq!(second.1, dir.join("day-host-x-2.svg"));
        assert_eq!(std::fs::read_to_string(&first.0).unwrap(), "{\"a\":1}\n");
        assert_eq!(std::fs::read_to_string(&second.0).unwrap(), "{\"a\":2}\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
