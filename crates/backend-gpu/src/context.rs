//! The device: which adapter was opened, with what features and limits, and the
//! submit / wait / read-back steps every kernel goes through, which turn device loss,
//! validation errors, mapping failures and timeouts into [`GpuError`]s.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::GpuError;

/// How to open a context.
#[derive(Clone, Debug)]
pub struct ContextOptions {
    /// Longest wait for one submission before it counts as a device fault.
    pub timeout: Duration,
}

impl Default for ContextOptions {
    fn default() -> Self {
        // Generous: lavapipe runs a large batch on the CPU's cores.
        ContextOptions {
            timeout: Duration::from_secs(120),
        }
    }
}

/// The adapter a context runs on, for reports and `sakke backends`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdapterReport {
    pub name: String,
    pub driver: String,
    pub driver_info: String,
    /// "Vulkan", "Metal", "Dx12".
    pub backend: String,
    /// "DiscreteGpu", "IntegratedGpu", "Cpu" (lavapipe), ...
    pub device_type: String,
    /// Whether the device was opened with SHADER_INT64 (u64 arithmetic in shaders).
    pub shader_int64: bool,
}

impl AdapterReport {
    /// Whether this is a software rasteriser (lavapipe, WARP, SwiftShader): fine for
    /// correctness, meaningless for speed.
    pub fn is_software(&self) -> bool {
        self.device_type == "Cpu"
    }
}

impl fmt::Display for AdapterReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}, {}; driver {} {}; SHADER_INT64 {})",
            self.name,
            self.backend,
            self.device_type,
            self.driver,
            self.driver_info,
            if self.shader_int64 { "yes" } else { "no" }
        )
    }
}

/// An open device and queue. Cheap to share (`Arc`); every kernel object holds one.
pub struct GpuContext {
    device: wgpu::Device,
    queue: wgpu::Queue,
    report: AdapterReport,
    limits: wgpu::Limits,
    timeout: Duration,
    /// Set once by the device-lost callback; every later call fails with it.
    lost: Arc<Mutex<Option<String>>>,
    /// Uncaptured errors (validation, out of memory) since the last check.
    errors: Arc<Mutex<Vec<String>>>,
}

/// Preference order of device types: real GPUs first, software last.
fn rank(device_type: wgpu::DeviceType) -> u8 {
    match device_type {
        wgpu::DeviceType::DiscreteGpu => 0,
        wgpu::DeviceType::IntegratedGpu => 1,
        wgpu::DeviceType::VirtualGpu => 2,
        wgpu::DeviceType::Other => 3,
        wgpu::DeviceType::Cpu => 4,
    }
}

impl GpuContext {
    /// Opens the best adapter with the default options.
    pub fn open() -> Result<GpuContext, GpuError> {
        GpuContext::open_with(&ContextOptions::default())
    }

    /// Opens the best adapter: a discrete GPU before an integrated one, a software one
    /// (lavapipe) only when there is nothing else. SHADER_INT64 is enabled where the
    /// adapter has it, and the adapter's own limits are requested (so batches are split
    /// only at the device's real storage-binding size).
    pub fn open_with(options: &ContextOptions) -> Result<GpuContext, GpuError> {
        // WGPU_BACKEND and the other wgpu variables, where set, override these defaults.
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = wgpu::Backends::VULKAN | wgpu::Backends::METAL | wgpu::Backends::DX12;
        let instance = wgpu::Instance::new(desc.with_env());
        let adapters = pollster::block_on(instance.enumerate_adapters(wgpu::Backends::all()));
        let adapter = adapters
            .into_iter()
            .min_by_key(|a| rank(a.get_info().device_type))
            .ok_or(GpuError::NoAdapter)?;
        let info = adapter.get_info();
        let shader_int64 = adapter.features().contains(wgpu::Features::SHADER_INT64);
        let mut required_features = wgpu::Features::empty();
        if shader_int64 {
            required_features |= wgpu::Features::SHADER_INT64;
        }
        let limits = adapter.limits();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("sakke-gpu"),
            required_features,
            required_limits: limits.clone(),
            ..Default::default()
        }))
        .map_err(|e| GpuError::RequestDevice {
            adapter: info.name.clone(),
            reason: e.to_string(),
        })?;

        let lost = Arc::new(Mutex::new(None));
        let lost_slot = Arc::clone(&lost);
        device.set_device_lost_callback(move |reason, message| {
            *lock(&lost_slot) = Some(format!("{reason:?}: {message}"));
        });
        let errors = Arc::new(Mutex::new(Vec::new()));
        let error_slot = Arc::clone(&errors);
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            lock(&error_slot).push(e.to_string());
        }));

        Ok(GpuContext {
            device,
            queue,
            report: AdapterReport {
                name: info.name,
                driver: info.driver,
                driver_info: info.driver_info,
                backend: format!("{:?}", info.backend),
                device_type: format!("{:?}", info.device_type),
                shader_int64,
            },
            limits,
            timeout: options.timeout,
            lost,
            errors,
        })
    }

    pub fn report(&self) -> &AdapterReport {
        &self.report
    }

    pub fn limits(&self) -> &wgpu::Limits {
        &self.limits
    }

    pub(crate) fn device(&self) -> &wgpu::Device {
        &self.device
    }

    pub(crate) fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }

    /// Err if the device was lost, or reported an error since the last check.
    pub(crate) fn check(&self) -> Result<(), GpuError> {
        if let Some(reason) = lock(&self.lost).clone() {
            return Err(GpuError::DeviceLost(reason));
        }
        let errors = std::mem::take(&mut *lock(&self.errors));
        if errors.is_empty() {
            Ok(())
        } else {
            Err(GpuError::Device(errors.join("; ")))
        }
    }

    /// Runs `create` with validation errors captured, so that a bad shader or pipeline is
    /// an error of this call rather than a message to the uncaptured-error handler.
    pub(crate) fn validated<T>(
        &self,
        create: impl FnOnce(&wgpu::Device) -> T,
    ) -> Result<T, GpuError> {
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let value = create(&self.device);
        match pollster::block_on(scope.pop()) {
            Some(e) => Err(GpuError::Pipeline(e.to_string())),
            None => self.check().map(|()| value),
        }
    }

    /// Compiles `entry` of the WGSL `source` (slow on some drivers: callers keep it).
    pub(crate) fn compute_pipeline(
        &self,
        label: &str,
        source: &str,
        entry: &str,
    ) -> Result<wgpu::ComputePipeline, GpuError> {
        self.validated(|device| {
            let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(label),
                source: wgpu::ShaderSource::Wgsl(source.into()),
            });
            device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(entry),
                layout: None,
                module: &module,
                entry_point: Some(entry),
                compilation_options: Default::default(),
                cache: None,
            })
        })
    }

    /// Submits the commands and waits for them, up to the timeout.
    pub(crate) fn submit_and_wait(&self, commands: wgpu::CommandBuffer) -> Result<(), GpuError> {
        self.check()?;
        let index = self.queue.submit([commands]);
        self.wait(Some(index))
    }

    fn wait(&self, index: Option<wgpu::SubmissionIndex>) -> Result<(), GpuError> {
        self.device
            .poll(wgpu::PollType::Wait {
                submission_index: index,
                timeout: Some(self.timeout),
            })
            .map_err(|e| match e {
                wgpu::PollError::Timeout => GpuError::Timeout(self.timeout),
                other => GpuError::Device(other.to_string()),
            })?;
        self.check()
    }

    /// The contents of a MAP_READ buffer, as words.
    pub(crate) fn read_words(&self, staging: &wgpu::Buffer) -> Result<Vec<u32>, GpuError> {
        let slice = staging.slice(..);
        let mapped = Arc::new(Mutex::new(None));
        let mapped_slot = Arc::clone(&mapped);
        slice.map_async(wgpu::MapMode::Read, move |result| {
            *lock(&mapped_slot) = Some(result);
        });
        // The callback runs inside some thread's poll. When several threads share the
        // device, this thread's poll can return before the one that fires it has done
        // so: poll again until it has, within the timeout.
        let deadline = Instant::now() + self.timeout;
        let outcome = loop {
            if let Err(e) = self.wait(None) {
                break Err(e);
            }
            if let Some(result) = lock(&mapped).take() {
                break result.map_err(|e| GpuError::Map(e.to_string()));
            }
            if Instant::now() >= deadline {
                break Err(GpuError::Map("the mapping never completed".into()));
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        if let Err(e) = outcome {
            // Abandon a pending mapping, so that the buffer can still be wiped and freed.
            staging.unmap();
            return Err(e);
        }
        let words = {
            let view = slice
                .get_mapped_range()
                .map_err(|e| GpuError::Map(e.to_string()))?;
            bytemuck::pod_collect_to_vec::<u8, u32>(&view)
        };
        staging.unmap();
        Ok(words)
    }
}

/// Locks a mutex that only ever holds plain data, so a panic elsewhere cannot leave it
/// inconsistent: a poisoned lock is used as it is.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
