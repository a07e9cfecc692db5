/** Entry point of the agent console (served at /agent). */
import { render } from 'preact';
import { App } from './ui/app.js';
import { language } from './i18n.js';
import './app.css';

const root = document.getElementById('app');
if (root) {
  // The user's language (stored choice, else the browser's) is loaded before the first render: no flash of English.
  void language
    .use(language.initial())
    .catch(() => language.use('en'))
    .finally(() => {
      root.textContent = '';
      render(<App />, root);
    });
}
