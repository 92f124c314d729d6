import { useEffect, useState } from 'react';
import { authHeaders, bearerToken } from '../api/http';
import { evidenceApi } from '../api/endpoints';

/**
 * The address an `<img>` or `<object>` shows evidence from. With the session cookie, the
 * content URL itself. In the embedded room there is no cookie (a third-party frame) and the
 * browser's own image loads carry no bearer token: the bytes are fetched with it and shown
 * from a blob URL, released when the element goes.
 */
export function useEvidenceSrc(evidenceId: string, inline = true): string | undefined {
  const url = evidenceApi.contentUrl(evidenceId, inline);
  const bearer = bearerToken() !== null;
  const [blobUrl, setBlobUrl] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (!bearer) return;
    let live = true;
    let made: string | undefined;
    void fetch(url, { headers: authHeaders() })
      .then((res) => (res.ok ? res.blob() : null))
      .then((blob) => {
        if (!blob || !live) return;
        made = URL.createObjectURL(blob);
        setBlobUrl(made);
      })
      .catch(() => undefined);
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [url, bearer]);
  return bearer ? blobUrl : url;
}

/**
 * A download link's click in the embedded room: fetched with the bearer token and saved
 * under its name. Elsewhere the link's own href (the cookie) does it, and this does nothing.
 */
export function downloadWithBearer(
  event: { preventDefault(): void },
  evidenceId: string,
  filename: string,
): void {
  if (bearerToken() === null) return;
  event.preventDefault();
  void fetch(evidenceApi.contentUrl(evidenceId), { headers: authHeaders() })
    .then((res) => (res.ok ? res.blob() : null))
    .then((blob) => {
      if (!blob) return;
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = filename;
      document.body.appendChild(a);
      a.click();
      a.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
    })
    .catch(() => undefined);
}
