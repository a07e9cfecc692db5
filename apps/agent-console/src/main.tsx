/** Entry point of the agent console (served at /agent). */
import { render } from 'preact';
import { App } from './ui/app.js';
import './app.css';

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
