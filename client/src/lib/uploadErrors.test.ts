import { describe, expect, it } from 'vitest';
import { describeUploadError } from './uploadErrors';

describe('describeUploadError', () => {
  it('uses the server’s explanation of size and type refusals, as a sentence', () => {
    expect(
      describeUploadError(413, {
        error: { code: 'payload_too_large', message: 'file exceeds the 25 MiB limit' },
      }),
    ).toBe('File exceeds the 25 MiB limit.');
    expect(
      describeUploadError(415, {
        error: { code: 'unsupported_media_type', message: 'not accepted (accepted: png, pdf)' },
      }),
    ).toBe('Not accepted (accepted: png, pdf)');
  });

  it('has its own words when the server gave none', () => {
    expect(describeUploadError(413, null)).toBe('File is too large.');
    expect(describeUploadError(415, null)).toBe('This type of file is not accepted.');
    expect(describeUploadError(429, null)).toBe('Too many uploads for now; try again later.');
  });

  it('uses the server message otherwise', () => {
    expect(
      describeUploadError(409, { error: { code: 'conflict', message: 'Dispute closed' } }),
    ).toBe('Dispute closed.');
    expect(describeUploadError(500, 'oops')).toBe('Upload failed (HTTP 500).');
    expect(describeUploadError(0, null)).toBe('Upload failed: no connection to the server.');
  });
});
