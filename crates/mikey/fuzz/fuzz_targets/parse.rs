//! Feeds arbitrary bytes to the decoder: it must never panic, and whatever it accepts
//! must re-encode to the same bytes and survive the I_MESSAGE structure check.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mikey::{IMessage, Message};

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = Message::parse(data) {
        assert_eq!(message.to_bytes().ok().as_deref(), Some(data));
        let _ = IMessage::new(&message);
    }
});
