import { useEffect, useState } from 'react';

import { Tabs } from '../../components/Tabs.js';
import { ViewHelp } from '../../components/ViewHelp.js';
import { TEACH_HELP } from '../help/view-help-texts.js';
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
export const WHAT_AM_I_LOOKING_AT: Readonly<Record<Panel, string>> = TEACH_HELP;

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
      <ViewHelp>{WHAT_AM_I_LOOKING_AT[panel]}</ViewHelp>
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
