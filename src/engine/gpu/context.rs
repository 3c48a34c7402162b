//! Instance, adapter choice and device.
//!
//! The adapter honours `WGPU_BACKEND` (e.g. `vulkan`, `metal`, `dx12`, `gl`)
//! and `WGPU_ADAPTER_NAME` (a case-insensitive substring of the adapter name).
//! Without them the best compute-capable adapter wins: discrete, then
//! integrated, virtual, and CPU (lavapipe) adapters. The device asks for the
//! adapter's own limits, so large jobs get the largest buffers it allows.

use serde::Serialize;

use crate::engine::EngineError;
use crate::engine::abi::WG;

/// Bindings the simulation kernel needs in one stage.
const STORAGE_BUFFERS: u32 = 7;

/// A description of one adapter (for `mosde devices`).
#[derive(Debug, Clone, Serialize)]
pub struct AdapterReport {
    /// Adapter name.
    pub name: String,
    /// Backend (Vulkan, Metal, Dx12, Gl).
    pub backend: String,
    /// Device type (DiscreteGpu, IntegratedGpu, Cpu, …).
    pub device_type: String,
    /// Driver name.
    pub driver: String,
    /// Driver details.
    pub driver_info: String,
    /// Whether mosde can run its kernel on it, and if not why.
    pub usable: Result<(), String>,
    /// Largest storage-buffer binding, bytes.
    pub max_storage_buffer_binding_size: u64,
    /// Largest buffer, bytes.
    pub max_buffer_size: u64,
    /// Workgroups per dispatch dimension.
    pub max_compute_workgroups_per_dimension: u32,
    /// Invocations per workgroup.
    pub max_compute_invocations_per_workgroup: u32,
    /// Workgroup memory, bytes.
    pub max_compute_workgroup_storage_size: u32,
}

/// An open device.
#[derive(Debug)]
pub struct GpuContext {
    /// The device.
    pub device: wgpu::Device,
    /// Its queue.
    pub queue: wgpu::Queue,
    /// The adapter's description.
    pub info: wgpu::AdapterInfo,
    /// The limits the device was opened with.
    pub limits: wgpu::Limits,
}

fn instance() -> wgpu::Instance {
    wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env())
}

fn enumerate() -> Vec<wgpu::Adapter> {
    let backends = wgpu::Backends::from_env().unwrap_or(wgpu::Backends::all());
    pollster::block_on(instance().enumerate_adapters(backends))
}

/// Why an adapter cannot run the kernel, if it cannot.
fn usable(a: &wgpu::Adapter) -> Result<(), String> {
    let down = a.get_downlevel_capabilities();
    let l = a.limits();
    if !down.flags.contains(wgpu::DownlevelFlags::COMPUTE_SHADERS) {
        return Err("no compute shaders".into());
    }
    if l.max_compute_invocations_per_workgroup < WG || l.max_compute_workgroup_size_x < WG {
        return Err(format!("fewer than {WG} invocations per workgroup"));
    }
    if l.max_storage_buffers_per_shader_stage < STORAGE_BUFFERS {
        return Err(format!(
            "fewer than {STORAGE_BUFFERS} storage buffers per stage"
        ));
    }
    Ok(())
}

fn rank(info: &wgpu::AdapterInfo) -> (u32, u32) {
    let t = match info.device_type {
        wgpu::DeviceType::DiscreteGpu => 0,
        wgpu::DeviceType::IntegratedGpu => 1,
        wgpu::DeviceType::VirtualGpu => 2,
        wgpu::DeviceType::Cpu => 3,
        wgpu::DeviceType::Other => 4,
    };
    let b = match info.backend {
        wgpu::Backend::Vulkan | wgpu::Backend::Metal | wgpu::Backend::Dx12 => 0,
        _ => 1,
    };
    (t, b)
}

/// Every adapter wgpu reaches, described.
pub fn adapters() -> Vec<AdapterReport> {
    enumerate()
        .iter()
        .map(|a| {
            let i = a.get_info();
            let l = a.limits();
            AdapterReport {
                name: i.name.clone(),
                backend: format!("{:?}", i.backend),
                device_type: format!("{:?}", i.device_type),
                driver: i.driver.clone(),
                driver_info: i.driver_info.clone(),
                usable: usable(a),
                max_storage_buffer_binding_size: l.max_storage_buffer_binding_size,
                max_buffer_size: l.max_buffer_size,
                max_compute_workgroups_per_dimension: l.max_compute_workgroups_per_dimension,
                max_compute_invocations_per_workgroup: l.max_compute_invocations_per_workgroup,
                max_compute_workgroup_storage_size: l.max_compute_workgroup_storage_size,
            }
        })
        .collect()
}

impl GpuContext {
    /// Opens the best adapter (see the module docs).
    pub fn new() -> Result<Self, EngineError> {
        let mut found = enumerate();
        if found.is_empty() {
            return Err(EngineError::NoAdapter("wgpu found no adapter".into()));
        }
        if let Ok(want) = std::env::var("WGPU_ADAPTER_NAME") {
            let names: Vec<String> = found.iter().map(|a| a.get_info().name).collect();
            let w = want.to_lowercase();
            found.retain(|a| a.get_info().name.to_lowercase().contains(&w));
            if found.is_empty() {
                return Err(EngineError::NoAdapter(format!(
                    "WGPU_ADAPTER_NAME='{want}' matches none of: {}",
                    names.join(", ")
                )));
            }
        }
        let reasons: Vec<String> = found
            .iter()
            .filter_map(|a| {
                usable(a)
                    .err()
                    .map(|e| format!("{}: {e}", a.get_info().name))
            })
            .collect();
        found.retain(|a| usable(a).is_ok());
        found.sort_by_key(|a| rank(&a.get_info()));
        let adapter = found.into_iter().next().ok_or_else(|| {
            EngineError::NoAdapter(format!(
                "no adapter can run compute kernels ({})",
                reasons.join("; ")
            ))
        })?;
        let info = adapter.get_info();
        let limits = adapter.limits();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("mosde"),
            required_features: wgpu::Features::empty(),
            required_limits: limits.clone(),
            ..Default::default()
        }))
        .map_err(|e| EngineError::Setup(format!("cannot open a device on '{}': {e}", info.name)))?;
        Ok(GpuContext {
            device,
            queue,
            info,
            limits,
        })
    }

    /// `name (backend, type)`.
    pub fn describe(&self) -> String {
        format!(
            "{} ({:?}, {:?})",
            self.info.name, self.info.backend, self.info.device_type
        )
    }

    /// Largest buffer the kernel may bind.
    pub fn max_binding(&self) -> u64 {
        self.limits
            .max_storage_buffer_binding_size
            .min(self.limits.max_buffer_size)
    }

    /// Waits for the queue and maps `bytes` of a MAP_READ buffer.
    pub fn read(&self, staging: &wgpu::Buffer, bytes: u64) -> Result<Vec<u8>, EngineError> {
        if bytes == 0 {
            return Ok(Vec::new());
        }
        let (tx, rx) = std::sync::mpsc::channel();
        staging.map_async(wgpu::MapMode::Read, 0..bytes, move |r| {
            let _ = tx.send(r);
        });
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| EngineError::Device(format!("{e}")))?;
        rx.recv()
            .map_err(|e| EngineError::Device(format!("readback lost: {e}")))?
            .map_err(|e| EngineError::Device(format!("cannot map results: {e}")))?;
        let data = staging
            .get_mapped_range(0..bytes)
            .map_err(|e| EngineError::Device(format!("cannot read results: {e}")))?
            .to_vec();
        staging.unmap();
        Ok(data)
    }
}
