/**
 * Host storage behind a virtio-blk device: a disk image file or memory.
 * Sectors are 512 bytes. Backends may throw on host I/O errors; the device
 * turns that into VIRTIO_BLK_S_IOERR.
 */
import * as fs from 'node:fs';

export const SECTOR_SIZE = 512;

export interface BlockBackend {
  /** Capacity in 512-byte sectors. */
  readonly sectors: number;
  /** A read-only backend makes the device offer VIRTIO_BLK_F_RO. */
  readonly readOnly?: boolean;
  /** `count` sectors from `sector` (the caller keeps inside the capacity). */
  read(sector: number, count: number): Uint8Array;
  /** Writes whole sectors (data.length a multiple of 512); durable against a VM restart when it returns. */
  write(sector: number, data: Uint8Array): void;
  /** Makes completed writes durable on the host (fsync). */
  flush(): void;
}

function checkRange(sectors: number, sector: number, bytes: number): void {
  if (!Number.isSafeInteger(sector) || sector < 0 || bytes % SECTOR_SIZE !== 0 || sector + bytes / SECTOR_SIZE > sectors) {
    throw new RangeError(`sectors ${sector}+${bytes / SECTOR_SIZE} are outside the disk (${sectors} sectors)`);
  }
}

/** A disk in memory (tests, scratch disks). */
export class MemoryBlockBackend implements BlockBackend {
  readonly data: Uint8Array;
  readonly sectors: number;
  readonly readOnly: boolean;
  flushes = 0;

  /** `sectorsOrImage`: a size in sectors (zero-filled) or an image (its length rounded down to whole sectors). */
  constructor(sectorsOrImage: number | Uint8Array, options: { readOnly?: boolean } = {}) {
    if (typeof sectorsOrImage === 'number') {
      if (!Number.isSafeInteger(sectorsOrImage) || sectorsOrImage < 0) throw new RangeError(`bad disk size ${sectorsOrImage}`);
      this.data = new Uint8Array(sectorsOrImage * SECTOR_SIZE);
    } else {
      this.data = sectorsOrImage;
    }
    this.sectors = Math.floor(this.data.length / SECTOR_SIZE);
    this.readOnly = options.readOnly ?? false;
  }

  read(sector: number, count: number): Uint8Array {
    checkRange(this.sectors, sector, count * SECTOR_SIZE);
    return this.data.slice(sector * SECTOR_SIZE, (sector + count) * SECTOR_SIZE);
  }

  write(sector: number, data: Uint8Array): void {
    if (this.readOnly) throw new Error('read-only disk');
    checkRange(this.sectors, sector, data.length);
    this.data.set(data, sector * SECTOR_SIZE);
  }

  flush(): void {
    this.flushes++;
  }
}

export interface FileBlockBackendOptions {
  /**
   * Disk size in bytes (rounded down to whole sectors). A smaller writable
   * file is extended (zero-filled) to it; a larger file is used up to it.
   * Default: the file's size.
   */
  sizeBytes?: number;
  readOnly?: boolean;
  /** Create the file when missing (default true unless read-only). */
  create?: boolean;
}

/**
 * A disk image file, accessed with synchronous positioned reads and writes: a
 * write is in the file (the host's page cache) when `write` returns, before
 * the device signals its completion; `flush` is fsync.
 */
export class FileBlockBackend implements BlockBackend {
  readonly sectors: number;
  readonly readOnly: boolean;
  private fd: number | undefined;

  private constructor(readonly path: string, fd: number, sectors: number, readOnly: boolean) {
    this.fd = fd;
    this.sectors = sectors;
    this.readOnly = readOnly;
  }

  static open(path: string, options: FileBlockBackendOptions = {}): FileBlockBackend {
    const readOnly = options.readOnly ?? false;
    const create = options.create ?? !readOnly;
    if (options.sizeBytes !== undefined && (!Number.isSafeInteger(options.sizeBytes) || options.sizeBytes < 0)) {
      throw new RangeError(`bad disk size ${options.sizeBytes}`);
    }
    const exists = fs.existsSync(path);
    if (!exists && !create) throw new Error(`disk image ${path} does not exist`);
    const fd = fs.openSync(path, readOnly ? 'r' : exists ? 'r+' : 'w+');
    try {
      const fileSize = fs.fstatSync(fd).size;
      let size = options.sizeBytes ?? fileSize;
      size -= size % SECTOR_SIZE;
      if (fileSize < size) {
        if (readOnly) throw new Error(`disk image ${path} has ${fileSize} bytes, ${size} configured`);
        fs.ftruncateSync(fd, size);
      }
      return new FileBlockBackend(path, fd, size / SECTOR_SIZE, readOnly);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  private handle(): number {
    if (this.fd === undefined) throw new Error(`disk image ${this.path} is closed`);
    return this.fd;
  }

  read(sector: number, count: number): Uint8Array {
    const bytes = count * SECTOR_SIZE;
    checkRange(this.sectors, sector, bytes);
    const fd = this.handle();
    const buf = new Uint8Array(bytes);
    let done = 0;
    while (done < bytes) {
      const n = fs.readSync(fd, buf, done, bytes - done, sector * SECTOR_SIZE + done);
      if (n === 0) break; // past the end of a sparse or shrunk file: zeros
      done += n;
    }
    return buf;
  }

  write(sector: number, data: Uint8Array): void {
    if (this.readOnly) throw new Error(`disk image ${this.path} is read-only`);
    checkRange(this.sectors, sector, data.length);
    const fd = this.handle();
    let done = 0;
    while (done < data.length) {
      done += fs.writeSync(fd, data, done, data.length - done, sector * SECTOR_SIZE + done);
    }
  }

  flush(): void {
    fs.fsyncSync(this.handle());
  }

  close(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
