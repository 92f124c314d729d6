import type { Channel, Evidence } from '@dispute-room/shared';
import { describeUploadError } from '../lib/uploadErrors';
import { evidenceApi } from './endpoints';
import { ApiRequestError, authHeaders, toApiError } from './http';

export interface UploadHandle {
  done: Promise<Evidence>;
  abort(): void;
}

/**
 * Uploads one evidence file with XMLHttpRequest, which (unlike fetch) reports upload
 * progress. The fields go before the file so the server knows the channel before the bytes.
 */
export function uploadEvidence(
  disputeId: string,
  file: File,
  fields: { channel: Channel; description: string },
  onProgress: (fraction: number) => void,
): UploadHandle {
  const xhr = new XMLHttpRequest();
  const done = new Promise<Evidence>((resolve, reject) => {
    const form = new FormData();
    form.append('channel', fields.channel);
    form.append('description', fields.description);
    form.append('file', file, file.name);
    xhr.open('POST', evidenceApi.uploadUrl(disputeId));
    xhr.setRequestHeader('Accept', 'application/json');
    for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
    xhr.responseType = 'text';
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status === 201 || xhr.status === 200) {
        const evidence = (body as { evidence?: Evidence } | null)?.evidence;
        if (evidence) return resolve(evidence);
      }
      const error = toApiError(xhr.status, body);
      reject(new ApiRequestError(xhr.status, error.code, describeUploadError(xhr.status, body)));
    };
    xhr.onerror = () => reject(new ApiRequestError(0, 'network', describeUploadError(0, null)));
    xhr.onabort = () => reject(new ApiRequestError(0, 'aborted', 'Upload cancelled.'));
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}
