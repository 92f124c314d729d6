import { useMemo } from 'react';
import { splitLinks } from '../lib/links';

/** User text as text, with http(s) and mailto links as safe links. Never parsed as HTML. */
export function LinkifiedText({ text }: { text: string }) {
  const segments = useMemo(() => splitLinks(text), [text]);
  return (
    <>
      {segments.map((segment, i) =>
        segment.type === 'link' ? (
          <a key={i} href={segment.href} target="_blank" rel="noopener noreferrer nofollow">
            {segment.text}
          </a>
        ) : (
          <span key={i}>{segment.text}</span>
        ),
      )}
    </>
  );
}
