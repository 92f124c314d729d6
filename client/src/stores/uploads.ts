import type { Channel } from '@dispute-room/shared';
import { create } from 'zustand';
import { errorMessage } from '../api/http';
import { uploadEvidence } from '../api/upload';
import { useEvidence } from './evidence';

export interface Upload {
  id: string;
  disputeId: string;
  channel: Channel;
  filename: string;
  size: number;
  progress: number;
  status: 'uploading' | 'done' | 'failed';
  error: string | null;
}

/** Files picked or dropped, waiting for a description and a confirmation before they post. */
export interface StagedFiles {
  disputeId: string;
  channel: Channel;
  files: File[];
}

interface UploadsState {
  items: Upload[];
  staged: StagedFiles | null;
  /** Evidence is permanent, so nothing uploads before its destination has been shown. */
  stage(disputeId: string, channel: Channel, files: File[]): void;
  unstage(): void;
  start(disputeId: string, channel: Channel, file: File, description?: string): void;
  cancel(id: string): void;
  dismiss(id: string): void;
}

const aborts = new Map<string, () => void>();

/** Evidence uploads in flight, with progress; the server posts the thread entry itself. */
export const useUploads = create<UploadsState>()((set) => {
  const patch = (id: string, change: Partial<Upload>) =>
    set((s) => ({ items: s.items.map((u) => (u.id === id ? { ...u, ...change } : u)) }));

  return {
    items: [],
    staged: null,

    stage(disputeId, channel, files) {
      if (files.length > 0) set({ staged: { disputeId, channel, files } });
    },

    unstage() {
      set({ staged: null });
    },

    start(disputeId, channel, file, description = '') {
      const id = crypto.randomUUID();
      set((s) => ({
        items: [
          ...s.items,
          {
            id,
            disputeId,
            channel,
            filename: file.name,
            size: file.size,
            progress: 0,
            status: 'uploading',
            error: null,
          },
        ],
      }));
      const handle = uploadEvidence(disputeId, file, { channel, description }, (progress) =>
        patch(id, { progress }),
      );
      aborts.set(id, handle.abort);
      handle.done
        .then((evidence) => {
          useEvidence.getState().add(evidence);
          patch(id, { status: 'done', progress: 1 });
          // A finished upload shows in the thread; the tray entry goes after a moment.
          window.setTimeout(
            () => set((s) => ({ items: s.items.filter((u) => u.id !== id) })),
            1_500,
          );
        })
        .catch((error: unknown) => patch(id, { status: 'failed', error: errorMessage(error) }))
        .finally(() => aborts.delete(id));
    },

    cancel(id) {
      aborts.get(id)?.();
    },

    dismiss(id) {
      set((s) => ({ items: s.items.filter((u) => u.id !== id) }));
    },
  };
});
