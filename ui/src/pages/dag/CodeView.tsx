/** The DAG's file, highlighted (highlight.js escapes the source before marking it up). */
import { useQuery } from '@tanstack/react-query';
import hljs from 'highlight.js/lib/core';
import typescript from 'highlight.js/lib/languages/typescript';
import { useMemo } from 'react';
import { api, v1 } from '../../api.ts';
import { Loaded } from '../../components/Problem.tsx';
import type { DagDetails } from '../../types.ts';

hljs.registerLanguage('typescript', typescript);

export function CodeView({ details }: { details: DagDetails }) {
  const source = useQuery({ queryKey: ['source', details.file_token], queryFn: () => api<string>(v1`/dagSources/${details.file_token}`, { text: true }) });
  const html = useMemo(() => (source.data === undefined ? '' : hljs.highlight(source.data, { language: 'typescript' }).value), [source.data]);
  return (
    <Loaded query={source}>
      {() => (
        <div>
          <p className="muted"><code>{details.fileloc}</code></p>
          <pre className="code hljs" data-testid="dag-code"><code dangerouslySetInnerHTML={{ __html: html }} /></pre>
        </div>
      )}
    </Loaded>
  );
}
