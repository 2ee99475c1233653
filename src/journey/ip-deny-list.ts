import { BlockList, isIP } from 'node:net';

/** Addresses refused at login (CIAM_IP_DENY_LIST), single addresses or CIDR ranges, v4 and v6. */
export class IpDenyList {
  private readonly list = new BlockList();
  readonly size: number;

  constructor(entries: string[]) {
    for (const entry of entries) {
      const [address, prefix] = entry.split('/');
      const family = isIP(address ?? '') === 6 ? 'ipv6' : 'ipv4';
      if (!address || !isIP(address)) throw new Error(`CIAM_IP_DENY_LIST: "${entry}" is not an IP address or CIDR range.`);
      if (prefix === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number.parseInt(prefix, 10), family);
    }
    this.size = entries.length;
  }

  denies(ip: string): boolean {
    if (this.size === 0) return false;
    const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
    const family = isIP(plain) === 6 ? 'ipv6' : 'ipv4';
    return isIP(plain) !== 0 && this.list.check(plain, family);
  }
}
