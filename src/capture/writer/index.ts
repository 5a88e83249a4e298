/** The .scap writer: see scap-writer.ts, and docs/capture-format.md ("Writing"). */
export { ScapWriter, CAPTURE_FILE_MODE, DEFAULT_CHUNK_SIZE, type ScapWriterOptions, type SnapshotOptions, type WriterIo } from './scap-writer.js';
export { SnapshotRecorder, type SnapshotLists } from './snapshot.js';
export { copyCapture, type CopyOptions, type CopyResult } from './copy-capture.js';
export { CaptureWriteError } from './write-error.js';
