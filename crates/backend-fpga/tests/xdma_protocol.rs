//! XdmaDevice's protocol against ordinary files standing in for the XDMA character
//! devices: the user file is mapped as the register window (the test plays the card by
//! writing STATUS and the cycle counter into it), the h2c file receives what the host
//! sends to card memory at the card address, the c2h file is what it reads back. Needs no
//! Verilator and runs everywhere.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

use backend_fpga::regs::*;
use backend_fpga::{Device, FpgaError, ProgramFault, XdmaPaths};

struct Card {
    dir: PathBuf,
    paths: XdmaPaths,
    user: File,
}

impl Card {
    /// Stand-in files; the register window says ID, and CONFIG: W = 64, 32 registers,
    /// 256 elements, 4096 instructions.
    fn new(name: &str) -> Card {
        let dir = std::env::temp_dir().join(format!("sakke-xdma-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let paths = XdmaPaths {
            user: dir.join("user"),
            h2c: dir.join("h2c_0"),
            c2h: dir.join("c2h_0"),
        };
        let open = |p: &PathBuf| {
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .open(p)
                .unwrap()
        };
        let user = open(&paths.user);
        user.set_len(0x1000).unwrap();
        open(&paths.h2c);
        open(&paths.c2h)
            .set_len(u64::from(MEM_DATA) + 256 * 128)
            .unwrap();
        let card = Card { dir, paths, user };
        card.set(REG_ID, ID);
        card.set(REG_CONFIG, 64 | 32 << 8 | 8 << 16 | 12 << 24);
        card
    }

    fn set(&self, offset: u32, value: u32) {
        self.user
            .write_at(&value.to_le_bytes(), u64::from(offset))
            .unwrap();
    }

    fn get(&self, offset: u32) -> u32 {
        let mut b = [0u8; 4];
        self.user.read_exact_at(&mut b, u64::from(offset)).unwrap();
        u32::from_le_bytes(b)
    }
}

impl Drop for Card {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn missing_device_is_unavailable() {
    let paths = XdmaPaths::card(97);
    match Device::xdma(&paths) {
        Err(FpgaError::Unavailable(why)) => assert_eq!(why, "no /dev/xdma97_user"),
        other => panic!("{:?}", other.err()),
    }
}

#[test]
fn wrong_id_is_refused() {
    let card = Card::new("id");
    card.set(REG_ID, 0x1234_5678);
    match Device::xdma(&card.paths) {
        Err(FpgaError::WrongId(0x1234_5678)) => {}
        other => panic!("{:?}", other.err()),
    }
}

#[test]
fn config_and_transfers() {
    let card = Card::new("mem");
    let mut dev = Device::xdma(&card.paths).unwrap();
    assert_eq!(dev.config().data_elements, 256);
    assert_eq!(dev.config().program_words, 4096);
    assert_eq!(dev.clocked_cycles(), 0);

    // A program lands at its card address in the h2c channel, little-endian words.
    dev.load_program(3, &[0x1122_3344, 0x5566_7788]).unwrap();
    let h2c = std::fs::read(&card.paths.h2c).unwrap();
    assert_eq!(
        &h2c[12..20],
        &[0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55]
    );

    // An element goes to MEM_DATA + 128 * index, low word first.
    let mut x = [0u64; 16];
    x[0] = 0x0102_0304_0506_0708;
    x[15] = 0xF0E0_D0C0_B0A0_9080;
    dev.write_elements(2, &[x]).unwrap();
    let h2c = std::fs::read(&card.paths.h2c).unwrap();
    let at = (MEM_DATA + 2 * 128) as usize;
    assert_eq!(&h2c[at..at + 8], &x[0].to_le_bytes());
    assert_eq!(&h2c[at + 120..at + 128], &x[15].to_le_bytes());

    // Reading elements back comes from the c2h channel at the same layout.
    let c2h = OpenOptions::new()
        .write(true)
        .open(&card.paths.c2h)
        .unwrap();
    let mut bytes = Vec::new();
    for l in x {
        bytes.extend_from_slice(&l.to_le_bytes());
    }
    c2h.write_at(&bytes, u64::from(MEM_DATA) + 5 * 128).unwrap();
    assert_eq!(dev.read_elements(5, 1).unwrap(), vec![x]);

    // What does not fit the card is refused before anything moves.
    assert!(matches!(
        dev.write_elements(255, &[x, x]),
        Err(FpgaError::Capacity(_))
    ));
    assert!(matches!(
        dev.load_program(4095, &[0, 0]),
        Err(FpgaError::Capacity(_))
    ));
}

#[test]
fn a_completed_run_rings_the_doorbell_and_reads_the_cycle_counter() {
    let card = Card::new("run");
    let mut dev = Device::xdma(&card.paths).unwrap();
    card.set(REG_STATUS, STATUS_DONE);
    card.set(REG_CYCLES_LO, 1234);
    card.set(REG_CYCLES_HI, 1);
    let report = dev.run(0x40, 1_000_000).unwrap();
    assert_eq!(report.cycles, 1 << 32 | 1234);
    assert_eq!(card.get(REG_DOORBELL), 0x40);
    assert_eq!(card.get(REG_CONTROL), 0, "no reset after a clean run");
}

#[test]
fn a_busy_card_past_the_cycle_limit_times_out_and_is_reset() {
    let card = Card::new("hang");
    let mut dev = Device::xdma(&card.paths).unwrap();
    card.set(REG_STATUS, STATUS_BUSY);
    card.set(REG_CYCLES_LO, 10_000);
    match dev.run(0, 5_000) {
        Err(FpgaError::Timeout { cycles: 10_000 }) => {}
        other => panic!("{other:?}"),
    }
    // run() first found the card busy and reset it, rang, then reset it after the timeout.
    assert_eq!(card.get(REG_CONTROL), CONTROL_SOFT_RESET);
    assert_eq!(card.get(REG_DOORBELL), 0);
}

/// A card whose counter has stopped (dead clock) still times out, on host time.
#[test]
fn a_stopped_counter_times_out_on_host_time() {
    let card = Card::new("dead");
    let mut dev = Device::xdma(&card.paths).unwrap();
    card.set(REG_STATUS, STATUS_BUSY);
    let start = std::time::Instant::now();
    assert!(matches!(
        dev.run(0, 1_000),
        Err(FpgaError::Timeout { cycles: 0 })
    ));
    assert!(start.elapsed().as_secs_f64() < 5.0);
}

#[test]
fn an_error_status_reports_the_fault_and_resets() {
    let card = Card::new("err");
    let mut dev = Device::xdma(&card.paths).unwrap();
    card.set(REG_STATUS, STATUS_ERROR | 3 << 8);
    card.set(REG_LAST_ERROR, 17 << 16 | 3);
    match dev.run(0, 1_000) {
        Err(FpgaError::Program {
            fault: ProgramFault::Register,
            pc: 17,
        }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(card.get(REG_CONTROL), CONTROL_SOFT_RESET);
}

#[test]
fn register_offsets_outside_the_window_are_errors() {
    let card = Card::new("window");
    let mut dev = Device::xdma(&card.paths).unwrap();
    assert!(matches!(dev.read_reg(0x1000), Err(FpgaError::Device(_))));
    assert!(matches!(dev.write_reg(2, 0), Err(FpgaError::Device(_))));
    dev.write_reg(REG_FAULT, FAULT_HANG).unwrap();
    assert_eq!(card.get(REG_FAULT), FAULT_HANG);
}
