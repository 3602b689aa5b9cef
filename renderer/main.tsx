import { Component, StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';

import { ApiProvider } from './api/api-context.js';
import { connectApi } from './api/client.js';
import { App } from './app.js';
import { StudioStateProvider } from './state/studio-context.js';
import './styles/global.css';

/** Shows a render error instead of a blank window. */
class ErrorBoundary extends Component<{ children: ReactNode }, { error?: Error }> {
  override state: { error?: Error } = {};
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="pad">
        <h1>Something went wrong</h1>
        <pre className="json-block">{this.state.error.stack ?? this.state.error.message}</pre>
        <button type="button" className="button" onClick={() => window.location.reload()}>Reload</button>
      </div>
    );
  }
}

const api = connectApi();
const root = createRoot(document.getElementById('root') as HTMLElement);
root.render(
  <StrictMode>
    <ErrorBoundary>
      {api ? (
        <ApiProvider api={api}>
          <StudioStateProvider>
            <App />
          </StudioStateProvider>
        </ApiProvider>
      ) : (
        <div className="pad">
          <h1>Twin Studio</h1>
          <p>Open the address printed by <code>npm start</code>: it carries the one-time access token of this session.</p>
        </div>
      )}
    </ErrorBoundary>
  </StrictMode>,
);
