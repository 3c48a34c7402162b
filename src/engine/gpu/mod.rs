//! The GPU engine: `shaders/simulate.wgsl` on wgpu.
//!
//! Work items (blocks of paths) run in chunks sized to the device's buffer
//! and dispatch limits; each chunk is one dispatch of a 2-D grid of
//! workgroups, one per item. Partials come back per item and are folded on
//! the host in f64, in item order, exactly as the CPU engine folds its own,
//! so results never depend on how the work was chunked.

mod context;
pub mod shaders;

use std::collections::HashMap;
use std::time::Instant;

use wgpu::util::DeviceExt;

pub use context::{AdapterReport, GpuContext, adapters};

use super::abi::{NONE, RunParams, SetParams, StrategyParams, WorkItem};
use super::plan::{Flags, Job};
use super::{Engine, EngineError, EngineInfo, JobOutput};

/// Target wall time of one chunk: long enough to amortise a readback, short
/// enough for a live progress bar and to stay clear of driver watchdogs.
const CHUNK_SECONDS: f64 = 0.5;
/// Items in the first chunk, before the throughput is known.
const FIRST_CHUNK: usize = 256;

/// Raw Philox words and the normals derived from them, per case.
pub type PhiloxWords = (Vec<[u32; 4]>, Vec<[f32; 4]>);

/// A compiled kernel and its bind-group layout.
#[derive(Debug)]
pub struct Kernel {
    /// The pipeline.
    pub pipeline: wgpu::ComputePipeline,
    /// Its bind-group layout.
    pub layout: wgpu::BindGroupLayout,
}

fn storage(binding: u32, read_only: bool) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

/// Whether shader bounds checks stay on (`MOSDE_GPU_CHECKED=1`). Off by
/// default: every index the kernel uses is in bounds by construction (the
/// host sizes each buffer for the items of the chunk; private arrays are
/// indexed by constants after unrolling), and the checks cost about 1.7× on
/// large GPUs.
fn checked() -> bool {
    std::env::var("MOSDE_GPU_CHECKED").is_ok_and(|v| v == "1")
}

/// Builds the `simulate` pipeline for a job's flags on any device (the noop
/// device included, for validation tests).
pub fn simulate_kernel(device: &wgpu::Device, flags: &Flags, checked: bool) -> Kernel {
    let source = shaders::simulate_source(flags);
    let desc = wgpu::ShaderModuleDescriptor {
        label: Some("simulate"),
        source: wgpu::ShaderSource::Wgsl(source.into()),
    };
    let module = if checked {
        device.create_shader_module(desc)
    } else {
        // SAFETY: see `checked()`: indices are in bounds by construction and
        // every loop is bounded by host-supplied counts.
        unsafe { device.create_shader_module_trusted(desc, wgpu::ShaderRuntimeChecks::unchecked()) }
    };
    let mut entries = vec![wgpu::BindGroupLayoutEntry {
        binding: 0,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }];
    entries.extend((1..=3).map(|b| storage(b, true)));
    entries.extend((4..=7).map(|b| storage(b, false)));
    let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("simulate"),
        entries: &entries,
    });
    let pl = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some("simulate"),
        bind_group_layouts: &[Some(&layout)],
        immediate_size: 0,
    });
    let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some("simulate"),
        layout: Some(&pl),
        module: &module,
        entry_point: Some("simulate"),
        compilation_options: Default::default(),
        cache: None,
    });
    Kernel { pipeline, layout }
}

/// Builds the `philox_words` test pipeline.
pub fn philox_kernel(device: &wgpu::Device) -> Kernel {
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some("philox_words"),
        source: wgpu::ShaderSource::Wgsl(shaders::philox_words_source().into()),
    });
    let entries = [storage(0, true), storage(1, false), storage(2, false)];
    let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("philox_words"),
        entries: &entries,
    });
    let pl = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some("philox_words"),
        bind_group_layouts: &[Some(&layout)],
        immediate_size: 0,
    });
    let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some("philox_words"),
        layout: Some(&pl),
        module: &module,
        entry_point: Some("philox_words"),
        compilation_options: Default::default(),
        cache: None,
    });
    Kernel { pipeline, layout }
}

/// The GPU engine.
#[derive(Debug)]
pub struct GpuEngine {
    ctx: GpuContext,
    kernels: HashMap<Flags, Kernel>,
    /// Fixed chunk size in items (tests use it to show chunking changes nothing).
    fixed_chunk: Option<usize>,
}

/// Buffer sizes a chunk of items needs, in bytes.
#[derive(Debug, Clone, Copy, Default)]
struct ChunkBytes {
    partials: u64,
    terminal: u64,
    paths: u64,
}

impl GpuEngine {
    /// Opens the best adapter.
    pub fn new() -> Result<Self, EngineError> {
        Ok(GpuEngine {
            ctx: GpuContext::new()?,
            kernels: HashMap::new(),
            fixed_chunk: None,
        })
    }

    /// Uses chunks of exactly `items` work items (results do not change).
    pub fn with_chunk(mut self, items: usize) -> Self {
        self.fixed_chunk = Some(items.max(1));
        self
    }

    /// The device context.
    pub fn context(&self) -> &GpuContext {
        &self.ctx
    }

    /// Raw Philox words and normals for `(counter, key)` pairs, computed by the
    /// GPU (for the bit-identity test).
    pub fn philox_words(&self, cases: &[([u32; 4], [u32; 2])]) -> Result<PhiloxWords, EngineError> {
        let d = &self.ctx.device;
        let k = philox_kernel(d);
        let input: Vec<u32> = cases
            .iter()
            .flat_map(|(c, key)| [c[0], c[1], c[2], c[3], key[0], key[1], 0, 0])
            .collect();
        let n = cases.len() as u64;
        let inb = d.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("philox_cases"),
            contents: bytemuck::cast_slice(&input),
            usage: wgpu::BufferUsages::STORAGE,
        });
        let out = |label| {
            d.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: n * 16,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            })
        };
        let (words, normals) = (out("philox_words"), out("philox_normals"));
        let staging = d.create_buffer(&wgpu::BufferDescriptor {
            label: Some("philox_staging"),
            size: n * 32,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bind = d.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("philox_words"),
            layout: &k.layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: inb.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: words.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: normals.as_entire_binding(),
                },
            ],
        });
        let mut enc = d.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("philox_words"),
        });
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("philox_words"),
                timestamp_writes: None,
            });
            pass.set_pipeline(&k.pipeline);
            pass.set_bind_group(0, &bind, &[]);
            pass.dispatch_workgroups((n as u32).div_ceil(64), 1, 1);
        }
        enc.copy_buffer_to_buffer(&words, 0, &staging, 0, n * 16);
        enc.copy_buffer_to_buffer(&normals, 0, &staging, n * 16, n * 16);
        self.ctx.queue.submit([enc.finish()]);
        let raw = self.ctx.read(&staging, n * 32)?;
        let (w, f) = raw.split_at((n * 16) as usize);
        Ok((
            bytemuck::pod_collect_to_vec(w),
            bytemuck::pod_collect_to_vec(f),
        ))
    }

    fn bytes_for(job: &Job, items: &[WorkItem]) -> ChunkBytes {
        let n = job.flags.n as u64;
        let mut b = ChunkBytes {
            partials: items.len() as u64 * u64::from(job.run.partial_len) * 4,
            ..Default::default()
        };
        for it in items {
            b.terminal += job.terminal_paths(it) * n * 4;
            b.paths += job.recorded_paths(it) * (u64::from(job.run.steps) + 1) * n * 4;
        }
        b
    }

    /// Splits items into chunks of at most `target` items that fit the limits.
    fn next_chunk(
        &self,
        job: &Job,
        items: &[WorkItem],
        target: usize,
    ) -> Result<usize, EngineError> {
        let max = self.ctx.max_binding();
        let dim = u64::from(self.ctx.limits.max_compute_workgroups_per_dimension);
        let cap = (dim * dim).min(u64::from(u32::MAX)) as usize;
        let mut count = 0;
        let mut acc = ChunkBytes::default();
        for it in items.iter().take(target.min(cap)) {
            let b = Self::bytes_for(job, std::slice::from_ref(it));
            let next = ChunkBytes {
                partials: acc.partials + b.partials,
                terminal: acc.terminal + b.terminal,
                paths: acc.paths + b.paths,
            };
            if next.partials > max || next.terminal > max || next.paths > max {
                break;
            }
            acc = next;
            count += 1;
        }
        if count == 0 {
            return Err(EngineError::Limits(format!(
                "one block of {} paths needs more than the device's largest buffer ({} bytes); record fewer paths or steps",
                job.block_paths(),
                max
            )));
        }
        Ok(count)
    }

    /// Checks, before any work, that the job can run on this device.
    fn check(&self, job: &Job) -> Result<Vec<WorkItem>, EngineError> {
        let max = self.ctx.max_binding();
        let hist = job.histograms() as u64 * u64::from(job.run.hist_len) * 4;
        let sets = (job.sets.len() * std::mem::size_of::<SetParams>()) as u64;
        let strategies = (job.strategies.len() * std::mem::size_of::<StrategyParams>()) as u64;
        for (what, bytes) in [
            ("first-passage histograms", hist),
            ("parameter sets", sets),
            ("strategies", strategies),
        ] {
            if bytes > max {
                return Err(EngineError::Limits(format!(
                    "the job's {what} need {bytes} bytes, more than the device's largest buffer ({max} bytes); run fewer sets or steps per job"
                )));
            }
        }
        let items = job.work_items();
        let mut at = 0;
        while at < items.len() {
            at += self.next_chunk(job, &items[at..], usize::MAX)?;
        }
        Ok(items)
    }
}

fn buffer(d: &wgpu::Device, label: &str, size: u64, usage: wgpu::BufferUsages) -> wgpu::Buffer {
    d.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: size.max(16),
        usage,
        mapped_at_creation: false,
    })
}

impl Engine for GpuEngine {
    fn info(&self) -> EngineInfo {
        EngineInfo {
            kind: "gpu".into(),
            adapter: self.ctx.describe(),
            threads: 1,
            threads_source: "gpu".into(),
        }
    }

    fn run(&mut self, job: &Job, progress: &mut dyn FnMut(u64)) -> Result<JobOutput, EngineError> {
        let items = self.check(job)?;
        let d = self.ctx.device.clone();
        let scope = d.push_error_scope(wgpu::ErrorFilter::Validation);
        let kernel = self
            .kernels
            .entry(job.flags)
            .or_insert_with(|| simulate_kernel(&d, &job.flags, checked()));
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(EngineError::Device(format!(
                "cannot build the simulate kernel: {e}"
            )));
        }
        let (pipeline, layout) = (kernel.pipeline.clone(), kernel.layout.clone());

        let storage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST;
        let output = wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_SRC
            | wgpu::BufferUsages::COPY_DST;
        let sets = d.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("sets"),
            contents: bytemuck::cast_slice(&job.sets),
            usage: storage,
        });
        let strategies = d.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("strategies"),
            contents: bytemuck::cast_slice(&job.strategies),
            usage: storage,
        });
        let hist_bytes = job.histograms() as u64 * u64::from(job.run.hist_len) * 4;
        let hist = buffer(&d, "hist", hist_bytes, output);
        let run_buf = buffer(
            &d,
            "run",
            std::mem::size_of::<RunParams>() as u64,
            wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        );

        // Buffers sized for the largest chunk the device allows, grown on demand.
        let max = self.ctx.max_binding();
        let mut cap = ChunkBytes::default();
        let mut cap_items = 0usize;
        let mut bufs: Option<(
            wgpu::Buffer,
            wgpu::Buffer,
            wgpu::Buffer,
            wgpu::Buffer,
            wgpu::Buffer,
            wgpu::BindGroup,
        )> = None;

        let mut out = JobOutput::new(job);
        let mut at = 0;
        let mut target = self.fixed_chunk.unwrap_or(FIRST_CHUNK);
        let mut enc0 = d.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("clear_hist"),
        });
        enc0.clear_buffer(&hist, 0, None);
        self.ctx.queue.submit([enc0.finish()]);
        while at < items.len() {
            let t0 = Instant::now();
            let count = self.next_chunk(job, &items[at..], target)?;
            let chunk = &items[at..at + count];
            let need = Self::bytes_for(job, chunk);
            if bufs.is_none()
                || need.partials > cap.partials
                || need.terminal > cap.terminal
                || need.paths > cap.paths
                || count > cap_items
            {
                // Grow generously so that later, larger chunks rarely reallocate.
                cap = ChunkBytes {
                    partials: (need.partials * 2).max(cap.partials).min(max),
                    terminal: (need.terminal * 2).max(cap.terminal).min(max),
                    paths: (need.paths * 2).max(cap.paths).min(max),
                };
                cap_items = (count * 2).max(cap_items);
                let work = buffer(&d, "work", cap_items as u64 * 16, storage);
                let partials = buffer(&d, "partials", cap.partials, output);
                let terminal = buffer(&d, "terminal", cap.terminal, output);
                let paths = buffer(&d, "paths", cap.paths, output);
                let staging_bytes = cap.partials + cap.terminal + cap.paths;
                let staging = buffer(
                    &d,
                    "staging",
                    staging_bytes,
                    wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                );
                let bind = d.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("simulate"),
                    layout: &layout,
                    entries: &[
                        wgpu::BindGroupEntry {
                            binding: 0,
                            resource: run_buf.as_entire_binding(),
                        },
                        wgpu::BindGroupEntry {
                            binding: 1,
                            resource: sets.as_entire_binding(),
                        },
                        wgpu::BindGroupEntry {
                            binding: 2,
                            resource: strategies.as_entire_binding(),
                        },
                        wgpu::BindGroupEntry {
                            binding: 3,
                            resource: work.as_entire_binding(),
                        },
                        wgpu::BindGroupEntry {
                            binding: 4,
                            resource: partials.as_entire_binding(),
                        },
                        wgpu::BindGroupEntry {
                            binding: 5,
                            resource: hist.as_entire_binding(),
                        },
                        wgpu::BindGroupEntry {
                            binding: 6,
                            resource: terminal.as_entire_binding(),
                        },
                        wgpu::BindGroupEntry {
                            binding: 7,
                            resource: paths.as_entire_binding(),
                        },
                    ],
                });
                bufs = Some((work, partials, terminal, paths, staging, bind));
            }
            let (work, partials, terminal, paths, staging, bind) =
                bufs.as_ref().expect("allocated above");

            // Rebase the terminal and path slots to this chunk's buffers.
            let t_base = chunk
                .iter()
                .map(|i| i.term_base)
                .find(|b| *b != NONE)
                .unwrap_or(0);
            let p_base = chunk
                .iter()
                .map(|i| i.path_base)
                .find(|b| *b != NONE)
                .unwrap_or(0);
            let local: Vec<WorkItem> = chunk
                .iter()
                .map(|i| WorkItem {
                    term_base: if i.term_base == NONE {
                        NONE
                    } else {
                        i.term_base - t_base
                    },
                    path_base: if i.path_base == NONE {
                        NONE
                    } else {
                        i.path_base - p_base
                    },
                    ..*i
                })
                .collect();
            let run = RunParams {
                items: count as u32,
                ..job.run
            };
            self.ctx
                .queue
                .write_buffer(&run_buf, 0, bytemuck::bytes_of(&run));
            self.ctx
                .queue
                .write_buffer(work, 0, bytemuck::cast_slice(&local));

            let scope = d.push_error_scope(wgpu::ErrorFilter::Validation);
            let mut enc = d.create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("simulate"),
            });
            enc.clear_buffer(partials, 0, Some(need.partials.max(4)));
            {
                let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("simulate"),
                    timestamp_writes: None,
                });
                pass.set_pipeline(&pipeline);
                pass.set_bind_group(0, bind, &[]);
                let dim = self.ctx.limits.max_compute_workgroups_per_dimension;
                let gy = (count as u32).div_ceil(dim);
                let gx = (count as u32).div_ceil(gy);
                pass.dispatch_workgroups(gx, gy, 1);
            }
            enc.copy_buffer_to_buffer(partials, 0, staging, 0, need.partials);
            if need.terminal > 0 {
                enc.copy_buffer_to_buffer(terminal, 0, staging, need.partials, need.terminal);
            }
            if need.paths > 0 {
                enc.copy_buffer_to_buffer(
                    paths,
                    0,
                    staging,
                    need.partials + need.terminal,
                    need.paths,
                );
            }
            self.ctx.queue.submit([enc.finish()]);
            if let Some(e) = pollster::block_on(scope.pop()) {
                return Err(EngineError::Device(format!("dispatch failed: {e}")));
            }
            let raw = self
                .ctx
                .read(staging, need.partials + need.terminal + need.paths)?;
            let floats: Vec<f32> = bytemuck::pod_collect_to_vec(&raw);
            let plen = job.run.partial_len as usize;
            let n = job.flags.n;
            let steps = job.run.steps as usize;
            let (part, rest) = floats.split_at(count * plen);
            let (term, recs) = rest.split_at((need.terminal / 4) as usize);
            let mut done = 0;
            for (k, (item, local)) in chunk.iter().zip(&local).enumerate() {
                let set = &mut out.sets[item.pset as usize];
                let values: Vec<f64> = part[k * plen..(k + 1) * plen]
                    .iter()
                    .map(|v| f64::from(*v))
                    .collect();
                set.push_partial(u64::from(item.block), values);
                if local.term_base != NONE {
                    let at = local.term_base as usize * n;
                    set.terminal
                        .extend_from_slice(&term[at..at + job.terminal_paths(item) as usize * n]);
                }
                if local.path_base != NONE {
                    let at = local.path_base as usize * (steps + 1) * n;
                    set.paths.extend_from_slice(
                        &recs[at..at + job.recorded_paths(item) as usize * (steps + 1) * n],
                    );
                }
                done += job.paths_in(
                    item.pset as usize,
                    &(u64::from(item.block)..u64::from(item.block) + 1),
                );
            }
            progress(done);
            at += count;
            if self.fixed_chunk.is_none() {
                let secs = t0.elapsed().as_secs_f64().max(1e-4);
                target = ((count as f64 * CHUNK_SECONDS / secs) as usize).clamp(16, 1 << 22);
            }
        }

        let staging = buffer(
            &d,
            "hist_staging",
            hist_bytes,
            wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        );
        let mut enc = d.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("hist_readback"),
        });
        enc.copy_buffer_to_buffer(&hist, 0, &staging, 0, hist_bytes);
        self.ctx.queue.submit([enc.finish()]);
        let raw = self.ctx.read(&staging, hist_bytes)?;
        let counts: Vec<u32> = bytemuck::pod_collect_to_vec(&raw);
        let mut chunks = counts.chunks_exact(job.run.hist_len as usize);
        // First-passage histograms of every set, then (with goals) the
        // goal histograms of every set.
        for set in &mut out.sets {
            add_counts(&mut set.hist, chunks.next());
        }
        for set in &mut out.sets {
            add_counts(&mut set.goal_hist, chunks.next());
        }
        Ok(out)
    }
}

/// Adds a histogram read back from the device to `dst` (nothing for `None`
/// or an empty `dst`).
fn add_counts(dst: &mut [u64], src: Option<&[u32]>) {
    for (a, b) in dst.iter_mut().zip(src.unwrap_or_default()) {
        *a += u64::from(*b);
    }
}
