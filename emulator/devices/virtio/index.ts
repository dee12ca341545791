/** virtio-mmio devices (modern interface) for the machine and for driver VMs. */
export * from './constants';
export { type DeviceTimers, TimerQueue } from './timers';
export {
  SplitVirtqueue,
  VirtqueueError,
  gather,
  scatter,
  splitRingSizes,
  type DescriptorChain,
  type VirtqBuffer,
  type VirtqueueState,
} from './virtqueue';
export {
  VirtioMmioDevice,
  linearLatency,
  latencyCycles,
  type VirtioMmioOptions,
  type VirtioDeviceSpec,
  type VirtioTransportStats,
  type VirtioQueueSnapshot,
} from './mmio';
export { type BlockBackend, MemoryBlockBackend, FileBlockBackend, type FileBlockBackendOptions, SECTOR_SIZE } from './block-backend';
export * from './blk';
export * from './net';
