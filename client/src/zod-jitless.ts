/** Zod probes `new Function` to speed up parsing; Viva's CSP forbids eval, so it must not try (no CSP violation report). */
import { z } from 'zod';

z.config({ jitless: true });
