//! The `fpga-sim` and `fpga-xdma` entries: the FPGA core (crates/backend-fpga) as a
//! Verilated model in this process, or on an XDMA card.

use pairing::backend::PairingBackend;

use super::{BackendInfo, BackendOptions, RegistryError};

pub(super) const SIM: &str = "fpga-sim";
pub(super) const XDMA: &str = "fpga-xdma";

const SIM_DESCRIPTION: &str = "FPGA core simulated by Verilator (cycle counts, not speed)";
const XDMA_DESCRIPTION: &str = "FPGA core on a Xilinx XDMA card (/dev/xdma0_*)";

#[cfg(feature = "fpga")]
pub(super) fn infos() -> [BackendInfo; 2] {
    let xdma_user = backend_fpga::XdmaPaths::card(0).user;
    [
        BackendInfo {
            name: SIM,
            description: SIM_DESCRIPTION.into(),
            unavailable: (!backend_fpga::BUILT_WITH_VERILATOR)
                .then(|| "built without Verilator".into()),
            // A simulation: right answers, meaningless speed.
            software: true,
            threaded: false,
        },
        BackendInfo {
            name: XDMA,
            description: XDMA_DESCRIPTION.into(),
            unavailable: (!xdma_user.exists()).then(|| format!("no {}", xdma_user.display())),
            software: false,
            threaded: false,
        },
    ]
}

#[cfg(feature = "fpga")]
pub(super) fn open(
    name: &str,
    options: &BackendOptions,
) -> Result<Box<dyn PairingBackend>, RegistryError> {
    let config = backend_fpga::FpgaConfig {
        line_table_budget_bytes: match options.tables {
            pairing::backend::TablePolicy::Never => 0,
            _ => options.table_budgets().0,
        },
    };
    let backend = if name == SIM {
        backend_fpga::FpgaBackend::sim(config)
    } else {
        backend_fpga::FpgaBackend::xdma(config)
    };
    let backend = backend.map_err(|e| match e {
        pairing::backend::BackendError::Unavailable { reason, .. } => RegistryError::Unavailable {
            name: name.into(),
            reason,
        },
        other => RegistryError::Backend(other),
    })?;
    Ok(Box::new(backend))
}

#[cfg(not(feature = "fpga"))]
pub(super) fn infos() -> [BackendInfo; 2] {
    let reason = || Some("this build has no FPGA support (engine feature `fpga`)".into());
    [
        BackendInfo {
            name: SIM,
            description: SIM_DESCRIPTION.into(),
            unavailable: reason(),
            software: true,
            threaded: false,
        },
        BackendInfo {
            name: XDMA,
            description: XDMA_DESCRIPTION.into(),
            unavailable: reason(),
            software: false,
            threaded: false,
        },
    ]
}

#[cfg(not(feature = "fpga"))]
pub(super) fn open(
    name: &str,
    _: &BackendOptions,
) -> Result<Box<dyn PairingBackend>, RegistryError> {
    Err(RegistryError::Unavailable {
        name: name.into(),
        reason: "this build has no FPGA support (engine feature `fpga`)".into(),
    })
}
