import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { LinkifiedText } from './LinkifiedText';

const render = (text: string) => renderToStaticMarkup(createElement(LinkifiedText, { text }));

describe('LinkifiedText', () => {
  it('opens links in a new tab without handing over the page, the referrer or our ranking', () => {
    expect(render('see https://a.com/x.')).toBe(
      '<span>see </span><a href="https://a.com/x" target="_blank" rel="noopener noreferrer nofollow">https://a.com/x</a><span>.</span>',
    );
  });

  it('shows markup as text', () => {
    expect(render('<img src=x onerror=alert(1)> https://a.com/"><b>')).toBe(
      '<span>&lt;img src=x onerror=alert(1)&gt; </span><a href="https://a.com/" target="_blank" rel="noopener noreferrer nofollow">https://a.com/</a><span>&quot;&gt;&lt;b&gt;</span>',
    );
  });
});
