/**
 * A compact description of the Ignition 3.x config shape (spec 3.0.0 – 3.6.0), used by the
 * validator. Each field names its type and the spec that added it. Hand-written rather than zod so
 * that errors carry Ignition-style JSON paths and unknown keys become warnings (as Ignition does).
 */
export type FieldType =
  | { kind: 'string' }
  | { kind: 'int' }
  | { kind: 'bool' }
  | { kind: 'object'; fields: Record<string, Field> }
  | { kind: 'array'; item: FieldType };

export interface Field {
  type: FieldType;
  /** Minor version of spec 3.x that introduced the field (0 = 3.0.0). */
  since?: number;
  required?: boolean;
}

const str: FieldType = { kind: 'string' };
const int: FieldType = { kind: 'int' };
const bool: FieldType = { kind: 'bool' };
const obj = (fields: Record<string, Field>): FieldType => ({ kind: 'object', fields });
const arr = (item: FieldType): FieldType => ({ kind: 'array', item });
const f = (type: FieldType, since = 0, required = false): Field => ({ type, since, required });
const req = (type: FieldType, since = 0): Field => f(type, since, true);

const resource = obj({
  source: f(str),
  compression: f(str),
  httpHeaders: f(arr(obj({ name: req(str), value: f(str) })), 1),
  verification: f(obj({ hash: f(str) })),
});
const owner = obj({ id: f(int), name: f(str) });
const nodeCommon = { path: req(str), overwrite: f(bool), user: f(owner), group: f(owner) };

export const IGNITION_SCHEMA: FieldType = obj({
  ignition: req(
    obj({
      version: req(str),
      config: f(obj({ merge: f(arr(resource)), replace: f(resource) })),
      timeouts: f(obj({ httpResponseHeaders: f(int), httpTotal: f(int) })),
      security: f(obj({ tls: f(obj({ certificateAuthorities: f(arr(resource)) })) })),
      proxy: f(obj({ httpProxy: f(str), httpsProxy: f(str), noProxy: f(arr(str)) }), 1),
    }),
  ),
  storage: f(
    obj({
      disks: f(
        arr(
          obj({
            device: req(str),
            wipeTable: f(bool),
            partitions: f(
              arr(
                obj({
                  label: f(str),
                  number: f(int),
                  sizeMiB: f(int),
                  startMiB: f(int),
                  typeGuid: f(str),
                  guid: f(str),
                  wipePartitionEntry: f(bool),
                  shouldExist: f(bool),
                  resize: f(bool, 2),
                }),
              ),
            ),
          }),
        ),
      ),
      raid: f(arr(obj({ name: req(str), level: f(str), devices: f(arr(str)), spares: f(int), options: f(arr(str)) }))),
      filesystems: f(
        arr(
          obj({
            device: req(str),
            format: f(str),
            path: f(str),
            wipeFilesystem: f(bool),
            label: f(str),
            uuid: f(str),
            options: f(arr(str)),
            mountOptions: f(arr(str), 1),
          }),
        ),
      ),
      files: f(arr(obj({ ...nodeCommon, contents: f(resource), append: f(arr(resource)), mode: f(int) }))),
      directories: f(arr(obj({ ...nodeCommon, mode: f(int) }))),
      links: f(arr(obj({ ...nodeCommon, target: f(str), hard: f(bool) }))),
      luks: f(
        arr(
          obj({
            name: req(str),
            device: f(str),
            keyFile: f(resource),
            label: f(str),
            uuid: f(str),
            options: f(arr(str)),
            wipeVolume: f(bool),
            discard: f(bool, 4),
            openOptions: f(arr(str), 4),
            clevis: f(
              obj({
                tang: f(arr(obj({ url: f(str), thumbprint: f(str), advertisement: f(str, 4) }))),
                tpm2: f(bool),
                threshold: f(int),
                custom: f(obj({ pin: f(str), config: f(str), needsNetwork: f(bool) })),
              }),
            ),
            cex: f(obj({ enabled: f(bool) }), 5),
          }),
        ),
        2,
      ),
    }),
  ),
  systemd: f(
    obj({
      units: f(
        arr(
          obj({
            name: req(str),
            enabled: f(bool),
            mask: f(bool),
            contents: f(str),
            dropins: f(arr(obj({ name: req(str), contents: f(str) }))),
          }),
        ),
      ),
    }),
  ),
  passwd: f(
    obj({
      users: f(
        arr(
          obj({
            name: req(str),
            passwordHash: f(str),
            sshAuthorizedKeys: f(arr(str)),
            uid: f(int),
            gecos: f(str),
            homeDir: f(str),
            noCreateHome: f(bool),
            primaryGroup: f(str),
            groups: f(arr(str)),
            noUserGroup: f(bool),
            noLogInit: f(bool),
            shell: f(str),
            system: f(bool),
            shouldExist: f(bool, 2),
          }),
        ),
      ),
      groups: f(
        arr(obj({ name: req(str), gid: f(int), passwordHash: f(str), system: f(bool), shouldExist: f(bool, 2) })),
      ),
    }),
  ),
  kernelArguments: f(obj({ shouldExist: f(arr(str)), shouldNotExist: f(arr(str)) }), 3),
});
