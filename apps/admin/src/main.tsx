/** Entry point of the admin app (served at /admin). */
import { render } from 'preact';
import { App } from './app.js';
import { language } from './i18n.js';
import './styles.css';

// The user's language (stored choice, else the browser's) is loaded before the first render: no flash of English.
void language
  .use(language.initial())
  .catch(() => language.use('en'))
  .finally(() => render(<App />, document.getElementById('app')!));
