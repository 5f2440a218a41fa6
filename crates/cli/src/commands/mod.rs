//! One module per subcommand.

pub mod batch;
pub mod demo;
pub mod imessage;
pub mod kms;
