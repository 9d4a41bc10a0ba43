/** Entry of the Croissant worker: exposes the core reader through the protocol in ./api. */
import * as Comlink from 'comlink';
import { readCroissant, recordRows, toPlainJson } from '../src/lib/croissant/index.ts';
import { filesResolver } from '../src/lib/io/browser-files.ts';
import { fetchResolver } from '../src/lib/io/fetch.ts';
import { createCroissantService } from './api/croissant-service.ts';

Comlink.expose(
  createCroissantService({ readCroissant, recordRows, toPlainJson, fetchResolver, filesResolver }),
);
