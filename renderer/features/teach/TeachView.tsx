import { useEffect, useState } from 'react';

import { Tabs } from '../../components/Tabs.js';
import { LessonsPanel } from '../lessons/LessonsPanel.js';
import { SequencePanel } from '../sequence/SequencePanel.js';
import { SnapshotsPanel } from '../snapshots/SnapshotsPanel.js';
import { StepThroughPanel } from '../step-through/StepThroughPanel.js';
import { TimelinePanel } from '../timeline/TimelinePanel.js';
import type { TwinTarget } from './DevicePicker.js';
import '../../styles/teach.css';

type Panel = 'lessons' | 'timeline' | 'sequence' | 'step' | 'snapshots';

const PANELS: readonly { id: Panel; label: string }[] = [
  { id: 'lessons', label: 'Lessons' },
  { id: 'timeline', label: 'Timeline' },
  { id: 'sequence', label: 'Sequence' },
  { id: 'step', label: 'Step-through' },
  { id: 'snapshots', label: 'Snapshots' },
];

/** One line per panel for someone new to twins: what this panel shows. */
export const WHAT_AM_I_LOOKING_AT: Readonly<Record<Panel, string>> = {
  lessons: 'Guided lessons: each step explains one idea, does one thing on the hub, and turns green when the hub is in the state the step teaches.',
  timeline: 'Every version of one twin: who wrote it (device, back end, studio, job), which part, and the patch — slide back in time, compare two versions, or click a property to see who changed it and when.',
  sequence: 'The conversation between the back end, the hub and a device, one arrow per message, oldest at the top: click an arrow to see what it carried.',
  step: 'The hub can hold what it sends to a device, so you can show a change waiting in the hub, then arriving when you release it.',
  snapshots: 'Save the whole hub — devices, twins with their exact versions and etags — and put it back in one click.',
};

/** Presentation mode: larger type and high contrast, kept on the document element (survives view changes). */
export function usePresentationMode(): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(() => document.documentElement.classList.contains('presenting'));
  useEffect(() => {
    document.documentElement.classList.toggle('presenting', on);
  }, [on]);
  return [on, setOn];
}

const PANEL_KEY = 'twin-studio.teach-panel';

function storedPanel(): Panel {
  const stored = window.sessionStorage.getItem(PANEL_KEY);
  return PANELS.some((item) => item.id === stored) ? (stored as Panel) : 'lessons';
}

/**
 * The teaching view: lessons, the twin timeline, the sequence diagram, step-through and hub snapshots. It reopens
 * on the panel last used, and the timeline starts on the device selected in the Devices view.
 */
export function TeachView({ deviceId }: { deviceId?: string | undefined }) {
  const [panel, setPanelState] = useState<Panel>(storedPanel);
  const [target, setTarget] = useState<TwinTarget | undefined>(deviceId ? { deviceId } : undefined);
  const setPanel = (next: Panel) => {
    window.sessionStorage.setItem(PANEL_KEY, next);
    setPanelState(next);
  };
  const [presenting, setPresenting] = usePresentationMode();
  return (
    <div className="teach-view">
      <div className="row wrap teach-bar">
        <Tabs items={PANELS} value={panel} onChange={setPanel} label="Teaching panels" />
        <span className="spacer" />
        <label className="checkbox"><input type="checkbox" checked={presenting} onChange={(event) => setPresenting(event.target.checked)} /> Presentation mode</label>
      </div>
      <p className="what-am-i-looking-at" data-testid="what-am-i-looking-at">{WHAT_AM_I_LOOKING_AT[panel]}</p>
      <div role="tabpanel" aria-label={PANELS.find((item) => item.id === panel)?.label}>
        {panel === 'lessons' ? <LessonsPanel /> : null}
        {panel === 'timeline' ? <TimelinePanel target={target} onTarget={setTarget} /> : null}
        {panel === 'sequence' ? <SequencePanel /> : null}
        {panel === 'step' ? <StepThroughPanel /> : null}
        {panel === 'snapshots' ? <SnapshotsPanel /> : null}
      </div>
    </div>
  );
}
