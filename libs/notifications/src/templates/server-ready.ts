import { compose, MailTemplate } from './layout';

export interface ServerReadyData {
  readonly serverId: number;
  readonly hostname: string;
  /** The addresses VirtFusion gave it (none yet: the server page shows them when they come). */
  readonly ips: readonly string[];
  /** The OS template's name; null when VirtFusion could not say. */
  readonly osName: string | null;
  /** The names of the panel SSH keys installed at the build; none: no key, no password was set. */
  readonly sshKeyNames: readonly string[];
}

export const category = 'notice';

export const render: MailTemplate<ServerReadyData>['render'] = (data, ctx) => {
  const page = `${ctx.appUrl}/servers/${data.serverId}`;
  const login = data.ips[0] ? `ssh root@${data.ips[0]}` : 'ssh root@<its IP address>';
  return compose(ctx, `Your server ${data.hostname} is ready`, [
    { p: `Your server ${data.hostname} is built and running.` },
    {
      facts: [
        ['Hostname', data.hostname],
        ['IP address', data.ips.length ? data.ips.join(', ') : 'shown on the server page once assigned'],
        ['Operating system', data.osName ?? 'as chosen at deploy'],
      ],
    },
    data.sshKeyNames.length
      ? {
          p:
            `Log in as root over SSH (${login}) with the SSH ${data.sshKeyNames.length > 1 ? 'keys' : 'key'} ` +
            `you chose when you deployed: ${data.sshKeyNames.join(', ')}. ` +
            "The server's page has its console, power controls, Reset root password and Reinstall.",
        }
      : {
          p:
            'No SSH key was chosen and no root password was set when you deployed. To log in, set a root ' +
            `password with "Reset root password" on the server's page, then ${login}; or open the Console there.`,
        },
    { link: page, label: 'Open the server page' },
  ]);
};
