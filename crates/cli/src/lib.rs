//! The `sakke` command's library: the key store, the batch and message formats, the
//! output-file discipline, the subcommands and the command line itself ([`run`]), kept
//! apart from the thin binary (`src/main.rs`) so that tests and fuzz targets can reach
//! the parsers directly and run whole commands in process.

pub mod batch;
pub mod command_line;
pub mod commands;
pub mod identity;
pub mod jsonl;
pub mod keystore;
pub mod keystore_3gpp;
pub mod machine;
pub mod output;
pub mod output_file;
pub mod private_file;
pub mod results;
pub mod secret_buf;
pub mod secret_hex;
pub mod secret_io;
pub mod svg;
pub mod time;

pub use command_line::run;
