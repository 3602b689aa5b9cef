import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';

import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { useStudio } from '../../state/studio-context.js';
import { builtinLessons } from './builtin-lessons.js';
import { parseLesson, type Lesson, type LessonStep } from './lesson-format.js';
import { evaluateCheck, runAction, type ActionOutcome, type CheckVerdict } from './lesson-runner.js';

/** Snapshot names a lesson saves at its start and restores on reset. */
export function lessonSnapshotName(lesson: Lesson): string {
  return `lesson ${lesson.id}`.replace(/[^A-Za-z0-9 _.-]/g, '-').slice(0, 64);
}

/** Lessons: pick one, walk its steps, run each step's action, and watch its check turn green. */
export function LessonsPanel() {
  const api = useApi();
  const [lesson, setLesson] = useState<Lesson>();
  const [problem, setProblem] = useState<string>();
  const builtin = builtinLessons();

  const openFile = async (file: File) => {
    try {
      setLesson(parseLesson(await file.text(), file.name));
      setProblem(undefined);
    } catch (error) {
      setProblem((error as Error).message);
    }
  };
  const start = async (chosen: Lesson) => {
    // The reset point: the hub as it is when the lesson starts (kept if the lesson was started before).
    const name = lessonSnapshotName(chosen);
    const saved = await api.snapshots.list({});
    if (saved.ok && !saved.value.some((snapshot) => snapshot.name === name)) await api.snapshots.save({ name });
    setLesson(chosen);
  };

  if (lesson) return <LessonRunner key={lesson.id} lesson={lesson} onClose={() => setLesson(undefined)} />;
  return (
    <div className="lessons">
      <p className="muted">Each lesson walks a class through one idea of device twins, from Microsoft’s “Get started with device twins”. Starting a lesson saves a hub snapshot, so “Reset” brings the hub back to where the lesson began.</p>
      <ul className="lesson-list">
        {builtin.map((item) => (
          <li key={item.file}>
            {'lesson' in item ? (
              <>
                <button type="button" className="button primary" onClick={() => void start(item.lesson)}>Start: {item.lesson.title}</button>
                <span className="muted small"> {item.lesson.summary} ({item.lesson.steps.length} steps)</span>
              </>
            ) : <span className="field-error">{item.file}: {item.error}</span>}
          </li>
        ))}
      </ul>
      <label className="field"><span>Or open a lesson file (.json or .md)</span>
        <input type="file" accept=".json,.md" aria-label="Open a lesson file" onChange={(event) => { const file = event.target.files?.[0]; if (file) void openFile(file); }} />
      </label>
      {problem ? <p className="field-error" role="alert">{problem}</p> : null}
    </div>
  );
}

function LessonRunner({ lesson, onClose }: { lesson: Lesson; onClose: () => void }) {
  const api = useApi();
  const studio = useStudio();
  const [index, setIndex] = useState(0);
  const [outcomes, setOutcomes] = useState<Record<number, ActionOutcome>>({});
  const [verdict, setVerdict] = useState<CheckVerdict>();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string>();
  const etags = useRef(new Map<string, string>());
  const step = lesson.steps[index] as LessonStep;
  const last = index === lesson.steps.length - 1;

  const check = useCallback(async () => {
    if (!step.check) return setVerdict(undefined);
    setVerdict(await evaluateCheck(api, step.check, outcomes[index]?.ok));
  }, [api, step, outcomes, index]);
  useEffect(() => {
    setVerdict(undefined);
    void check();
    const timer = setInterval(() => void check(), 1000);
    return () => clearInterval(timer);
  }, [check]);

  const run = async () => {
    if (!step.action) return;
    setBusy(true);
    const outcome = await runAction(api, step.action.do, etags.current);
    setOutcomes((previous) => ({ ...previous, [index]: outcome }));
    setBusy(false);
    void studio.refreshDevices();
  };
  const go = (next: number) => setIndex(Math.max(0, Math.min(lesson.steps.length - 1, next)));
  const reset = async () => {
    const result = await api.snapshots.restore({ name: lessonSnapshotName(lesson) });
    setMessage(result.ok ? 'The hub is back where the lesson started.' : describeError(result.error));
    setOutcomes({});
    etags.current.clear();
    setIndex(0);
    void studio.refreshDevices();
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const element = event.target as HTMLElement | null;
      if (event.altKey || event.ctrlKey || event.metaKey || (element && ['INPUT', 'TEXTAREA', 'SELECT'].includes(element.tagName))) return;
      if (event.key === 'PageDown' || event.key === 'ArrowRight') go(index + 1);
      else if (event.key === 'PageUp' || event.key === 'ArrowLeft') go(index - 1);
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const outcome = outcomes[index];
  return (
    <div className="lesson" data-testid="lesson">
      <div className="row wrap">
        <h3 className="lesson-title">{lesson.title}</h3>
        <span className="muted">Step {index + 1} of {lesson.steps.length}</span>
        <span className="spacer" />
        <button type="button" className="button small" onClick={() => void reset()}>Reset lesson</button>
        <button type="button" className="button small" onClick={onClose}>All lessons</button>
      </div>
      <ol className="lesson-progress" aria-label="Steps">
        {lesson.steps.map((candidate, i) => (
          <li key={candidate.title}><button type="button" className={`step-dot ${i === index ? 'current' : ''} ${outcomes[i]?.ok ? 'done' : ''}`} onClick={() => go(i)} aria-current={i === index ? 'step' : undefined}>{i + 1}</button></li>
        ))}
      </ol>
      <section className="lesson-step" aria-label={`Step ${index + 1}`}>
        <h4>{step.title}</h4>
        <LessonText text={step.text} />
        {step.action ? (
          <div className="lesson-action">
            <button type="button" className="button primary" disabled={busy} onClick={() => void run()}>{step.action.label}</button>
            {outcome ? <ul className={`action-lines ${outcome.ok ? 'good' : 'bad'}`} data-testid="action-outcome">{outcome.lines.map((line) => <li key={line}>{line}</li>)}</ul> : null}
          </div>
        ) : null}
        {step.check ? (
          <p className={`lesson-check ${verdict?.ok ? 'green' : 'pending'}`} data-testid="lesson-check" data-ok={verdict?.ok ? 'true' : 'false'} role="status">
            {verdict?.ok ? '✓' : '…'} {step.check.label ?? 'Check'}: <span className="muted">{verdict?.detail ?? 'checking'}</span>
          </p>
        ) : null}
        {last && (!step.check || verdict?.ok) ? <p className="lesson-done" data-testid="lesson-complete">Lesson complete.</p> : null}
      </section>
      {message ? <p role="status" className="notice">{message}</p> : null}
      <div className="row">
        <button type="button" className="button" disabled={index === 0} onClick={() => go(index - 1)}>Previous</button>
        <button type="button" className="button primary" disabled={last} onClick={() => go(index + 1)}>Next step</button>
      </div>
    </div>
  );
}

/** Paragraphs split by blank lines; `code` spans; lines starting with `- ` become a list. */
function LessonText({ text }: { text: string }) {
  return (
    <div className="lesson-text">
      {text.split(/\n\s*\n/).map((paragraph, i) => {
        const lines = paragraph.split('\n');
        if (lines.every((line) => line.trim().startsWith('- '))) return <ul key={i}>{lines.map((line, j) => <li key={j}>{inline(line.trim().slice(2))}</li>)}</ul>;
        return <p key={i}>{inline(paragraph)}</p>;
      })}
    </div>
  );
}

function inline(text: string): ReactNode[] {
  return text.split(/(`[^`]+`)/).map((part, i) => (part.startsWith('`') && part.endsWith('`') && part.length > 1 ? <code key={i}>{part.slice(1, -1)}</code> : part));
}
