/**
 * One try's log. While the try runs, the log is followed: each poll asks only for what was
 * written since (the continuation token), until the token says the log has ended.
 * The text is shown as text: nothing in a log can become markup.
 */
import { useEffect, useRef, useState } from 'react';
import { api, qs, v1 } from '../../api.ts';
import { ErrorMessage } from '../../components/Problem.tsx';

const POLL_MS = 1000;

function ended(token: string): boolean {
  try {
    return (JSON.parse(atob(token)) as { end_of_log?: boolean }).end_of_log === true;
  } catch {
    return true;
  }
}

export function TaskLog({ dagId, runId, taskId, mapIndex, tryNumber }: { dagId: string; runId: string; taskId: string; mapIndex: number; tryNumber: number }) {
  const [content, setContent] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [live, setLive] = useState(false);
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setContent('');
    setError(null);
    const poll = async (token: string | undefined) => {
      try {
        const r = await api<{ content: string; continuation_token: string }>(
          v1`/dags/${dagId}/dagRuns/${runId}/taskInstances/${taskId}/logs/${tryNumber}` + qs({ map_index: mapIndex, token }),
        );
        if (stop) return;
        if (r.content) setContent((c) => c + r.content);
        const more = !ended(r.continuation_token);
        setLive(more);
        if (more) timer = setTimeout(() => void poll(r.continuation_token), POLL_MS);
      } catch (e) {
        if (stop) return;
        setError(e);
        // The log file may not exist yet while the try is starting.
        timer = setTimeout(() => void poll(token), POLL_MS * 2);
      }
    };
    void poll(undefined);
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [dagId, runId, taskId, mapIndex, tryNumber]);
  useEffect(() => {
    if (live && pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [content, live]);
  return (
    <div>
      {live && <span className="badge st-running" data-testid="log-live">following</span>}
      {error && !content ? <ErrorMessage error={error} /> : null}
      <pre className="log" ref={pre} data-testid="task-log">{content}</pre>
    </div>
  );
}
