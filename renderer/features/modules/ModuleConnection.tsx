import { useEffect, useState } from 'react';

import type { ModuleDetails } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { CopyButton } from '../../components/CopyButton.js';

/** How a module connects: its connection string (symmetric key) from `modules.get`, with a copy button. */
export function ModuleConnection({ deviceId, moduleId }: { deviceId: string; moduleId: string }) {
  const api = useApi();
  const [module, setModule] = useState<ModuleDetails>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let current = true;
    void api.modules.get({ deviceId, moduleId }).then((result) => {
      if (!current) return;
      if (result.ok) setModule(result.value);
      else setError(describeError(result.error));
    });
    return () => {
      current = false;
    };
  }, [api, deviceId, moduleId]);

  if (error) return <p className="field-error" role="alert">{error}</p>;
  if (!module) return null;
  if (!module.connectionString) return <p className="muted small">This module authenticates with an X.509 certificate ({module.authenticationType}).</p>;
  return (
    <p className="muted small" data-testid="module-connection-string">
      Connects with <code>{module.connectionString}</code>{' '}
      <CopyButton text={module.connectionString} what={`connection string of module ${moduleId}`} />
    </p>
  );
}
