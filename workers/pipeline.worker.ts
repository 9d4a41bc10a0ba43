/** Entry of a batch pipeline worker (stateless: transforms and encodes the images it is given). */
import * as Comlink from 'comlink';
import { createPipelineService } from './api/pipeline-service.ts';

Comlink.expose(createPipelineService());
