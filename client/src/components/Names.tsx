import { Fragment } from 'react';

/**
 * People's names within a sentence ("A, B and C"), each in a <bdi>: a right-to-left name,
 * or one holding a direction override, cannot reorder the words around it.
 */
export function Names({
  names,
  separator = ', ',
  last = separator,
}: {
  names: string[];
  separator?: string;
  /** Between the last two names (" and "). */
  last?: string;
}) {
  return (
    <>
      {names.map((name, i) => (
        <Fragment key={i}>
          {i > 0 && (i === names.length - 1 ? last : separator)}
          <bdi>{name}</bdi>
        </Fragment>
      ))}
    </>
  );
}
