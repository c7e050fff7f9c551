/**
 * Which Host and Origin headers Viva answers. A browser tricked by DNS rebinding sends the attacker's name as Host, and a
 * foreign page sends its own Origin: both are refused, so the 127.0.0.1 default cannot be reached through another site.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';

const LOOPBACK = ['localhost', '127.0.0.1', '::1'];
const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/** The host names of allowed requests: loopback, `VIVA_PUBLIC_URL`'s host, `VIVA_ALLOWED_HOSTS` and the listening address. */
export class HostPolicy {
  private readonly hosts = new Set<string>(LOOPBACK);

  constructor(options: { publicUrl?: string | undefined; allowedHosts?: readonly string[] | undefined } = {}) {
    if (options.publicUrl) this.hosts.add(normalize(new URL(options.publicUrl).hostname));
    for (const host of options.allowedHosts ?? []) if (host.trim() !== '') this.hosts.add(normalize(host.trim()));
  }

  /** Allows the address the server listens on, unless it is a wildcard (0.0.0.0 says nothing about the names clients use). */
  allowListeningAddress(address: string): void {
    const host = normalize(address);
    if (!WILDCARDS.has(host)) this.hosts.add(host);
  }

  /** True when a Host header (name, optional port) names this server. */
  allowsHost(header: string | undefined): boolean {
    const host = hostnameOf(header);
    return host !== undefined && this.hosts.has(host);
  }

  /** True when there is no Origin (not a browser) or it is one of this server's names; `null` origins are refused. */
  allowsOrigin(origin: string | undefined): boolean {
    if (origin === undefined) return true;
    try {
      return this.hosts.has(normalize(new URL(origin).hostname));
    } catch {
      return false;
    }
  }

  /** Why a request is refused, or undefined when it is allowed (the Socket.IO handshake check). */
  refusal(request: IncomingMessage): string | undefined {
    if (!this.allowsHost(request.headers.host)) return `host ${request.headers.host ?? '(none)'} is not served here`;
    if (!this.allowsOrigin(request.headers.origin)) return `origin ${request.headers.origin ?? ''} may not connect`;
    return undefined;
  }
}

function normalize(host: string): string {
  return host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

function hostnameOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  try {
    return normalize(new URL(`http://${header}`).hostname);
  } catch {
    return undefined;
  }
}

/**
 * Refuses a request to another host name with 421 (DNS rebinding), and a state-changing request from a foreign page's
 * Origin with 403 (a form post or `no-cors` fetch). `/healthz` stays open to probes that use the container's address.
 */
export function hostCheck(policy: HostPolicy): RequestHandler {
  return (req, res, next) => {
    if (req.path === '/healthz') return next();
    if (!policy.allowsHost(req.headers.host)) {
      res.status(421).json({ error: { code: 'host-not-allowed', message: `this server does not answer for host ${req.headers.host ?? '(none)'}; set VIVA_PUBLIC_URL or VIVA_ALLOWED_HOSTS` } });
      return;
    }
    const safe = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS';
    if (!safe && !policy.allowsOrigin(req.headers.origin)) {
      res.status(403).json({ error: { code: 'origin-not-allowed', message: `requests from ${req.headers.origin ?? ''} are not accepted` } });
      return;
    }
    next();
  };
}
