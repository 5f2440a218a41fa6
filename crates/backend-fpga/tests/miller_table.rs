//! The Miller loop against a line table on the simulated card: f equal to the CPU's
//! `LineTable::miller_loop` bit for bit, the pairing after the final exponentiation equal
//! to `pairing::pairing`, the NAF the program follows equal to the one the table was built
//! with (its line count), and the cycle count the sequencer's schedule predicts, the same
//! for every point.

mod common;

use backend_fpga::{
    line_count, load_line_table, load_miller_table_program, miller_loop_tabled,
    miller_table_program, program,
};
use pairing::{
    final_exponentiation, pairing as cpu_pairing, AffinePoint, JacobianPoint, LineTable,
};

fn multiple(k: u32) -> AffinePoint {
    let p = AffinePoint::generator();
    let mut acc = JacobianPoint::from(p);
    for _ in 1..k {
        acc = acc.add_mixed(&p);
    }
    acc.to_affine()
}

#[test]
fn the_program_follows_the_tables_naf() {
    let table = LineTable::build(&AffinePoint::generator(), false);
    assert_eq!(table.lines().count(), line_count());
    assert_eq!(line_count(), 1373);
    // 5 to start, 17 a doubling step, 8 more for each addition, 2 stores and HALT.
    assert_eq!(miller_table_program().len(), 5 + 1021 * 17 + 352 * 8 + 3);
}

#[test]
fn tabled_pairings_equal_the_cpu() {
    let Some(mut dev) = common::sim() else { return };
    let key = multiple(5); // stands for an RSK
    let table = LineTable::build(&key, false);
    load_line_table(&mut dev, &table).unwrap();
    let budget = load_miller_table_program(&mut dev).unwrap();
    let expected = program::cycles(&miller_table_program(), dev.config().word_bits);
    for r in [multiple(3), AffinePoint::generator()] {
        let (f, cycles) = miller_loop_tabled(&mut dev, &r, budget).unwrap();
        assert!(f == table.miller_loop(&r), "f differs from the CPU's");
        let value = final_exponentiation(&f);
        assert_eq!(value.to_bytes(), cpu_pairing(&key, &r).to_bytes());
        eprintln!("tabled Miller loop: {cycles} cycles");
        assert_eq!(cycles, expected);
    }
}
