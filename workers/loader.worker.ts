/** Entry of a dataloader worker (stateless: decodes and augments the items it is given). */
import * as Comlink from 'comlink';
import { createLoaderService } from './api/loader-service.ts';

Comlink.expose(createLoaderService());
