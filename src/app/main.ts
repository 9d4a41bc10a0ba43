import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import './pwa.ts';
import { useAppWasm } from '../../workers/api/dicom-wasm.ts';

// Pipeline previews decode DICOM on the page: its codecs' wasm comes from the app's own files.
useAppWasm();

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

export default mount(App, { target });
