/**
 * The section header block: the first block of every .scap file.
 *
 * Body: u32 byte-order magic | u16 major | u16 minor | u64 section length
 * (always -1, "unknown", in practice). The magic tells the byte order of the
 * writer; this reader handles little-endian files only, which is all that
 * sysdig/Falco have ever written on x86 and arm64.
 */
import {
  BLOCK_HEADER_SIZE,
  SECTION_MAGIC,
  SECTION_MAGIC_SWAPPED,
  SUPPORTED_MAJOR_VERSION,
  hexType,
} from './block-types.js';
import { FieldCursor } from './field-cursor.js';
import type { SectionHeader } from './records.js';

/** Body bytes the header needs (magic, versions, section length). */
export const SECTION_BODY_SIZE = 16;

/** Parses the body of a section header block starting at buf[blockStart]. Throws CaptureError. */
export function parseSectionHeader(buf: Buffer, blockStart: number, bodyEnd: number, streamBase: number): SectionHeader {
  const c = new FieldCursor(buf, blockStart + BLOCK_HEADER_SIZE, bodyEnd, streamBase, 'section header');
  c.need(SECTION_BODY_SIZE, 'body');
  const magicAt = c.pos;
  const magic = c.u32('byte order magic');
  if (magic === SECTION_MAGIC_SWAPPED) {
    throw c.errorAt(magicAt, 'the capture was written big-endian (byte-swapped magic 0x4d3c2b1a); only little-endian captures are supported');
  }
  if (magic !== SECTION_MAGIC) {
    throw c.errorAt(magicAt, `bad byte order magic ${hexType(magic)} (expected 0x1a2b3c4d)`);
  }
  const versionAt = c.pos;
  const major = c.u16('major version');
  const minor = c.u16('minor version');
  if (major > SUPPORTED_MAJOR_VERSION) {
    throw c.errorAt(versionAt, `unsupported format version ${major}.${minor} (this reader knows up to ${SUPPORTED_MAJOR_VERSION}.x)`);
  }
  return { major, minor };
}
