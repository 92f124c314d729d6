import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { listenToHost } from './embed/bridge';
import { EmbedApp } from './embed/EmbedApp';
import './styles/base.css';
import './styles/shell.css';
import './styles/list.css';
import './styles/room.css';
import './styles/ops.css';
import './styles/embed.css';
import './styles/history.css';
import './styles/settlements.css';

const root = document.getElementById('root');
if (!root) throw new Error('missing #root');
// `/embed/disputes/:id`: the room alone, for a marketplace's iframe (signed in by its host).
const embedded = /^\/embed\/disputes\/([^/]+)\/?$/.exec(window.location.pathname)?.[1];
if (embedded) listenToHost();
createRoot(root).render(
  <StrictMode>{embedded ? <EmbedApp disputeId={embedded} /> : <App />}</StrictMode>,
);
