"""The core commands: list, changealias, delete, importkeystore.

Each command follows keytool's order of prompts and checks (see
``cli/common.py``) and its messages; the model does the work.
"""

from __future__ import annotations

import dataclasses
import os

from ..entries import PrivateKeyEntry, SecretKeyEntry, now
from ..errors import AliasError, KeystoreToolError, UsageError
from ..formats import DEFAULT_STORE_TYPE, StoreType
from ..model import Keystore as KeystoreModel
from . import options as o
from . import passwords
from .common import (
    SRC_INTEGRITY_BOX,
    ask_alias,
    default_keystore,
    detect_store_type,
    edit_store,
    maybe_jks_warning,
    modify_store,
    new_store_type,
    open_store,
    read_existing,
    recover_key,
    report_load,
    resolve_keystore,
    save,
    session,
    set_lock_timeout,
    store_password,
    warn_pkcs12_keypass,
    warn_pkcs12_password,
)


def check_name(rules: str | None, alias: str) -> None:
    """``--name-rules PROFILE``: refuse an alias that breaks the profile's rules."""
    if rules:
        from ..profiles import check_alias_name

        check_alias_name(rules, alias)


# ---------------------------------------------------------------------------
def list_(
    alias: o.Alias = None,
    keystore: o.Keystore = None,
    storepass: o.StorePass = None,
    storetype: o.StoreType = None,
    verbose: o.Verbose = False,
    rfc: o.Rfc = False,
    json_: o.Json = False,
    cacerts: o.Cacerts = False,
    keep_unattached_certs: o.KeepUnattached = False,
) -> None:
    """Lists entries in a keystore.

    Example: keystoretool -list -v -keystore client.jks -storepass:env PW
    """
    from . import render

    if verbose and rfc:
        raise UsageError("Must not specify both -v and -rfc with 'list' command")
    keystore = resolve_keystore(keystore, storetype, cacerts)
    opened = open_store(keystore, storepass, storetype, modifying=False,
                        keep_unattached=keep_unattached_certs)
    ks, path = opened.keystore, opened.path
    s = session()
    if alias is not None:
        entry = ks.get(alias)
        labels = [(alias, entry)]
    else:
        labels = [(a, ks.get(a)) for a in ks.sorted_aliases()]
    if json_:
        s.out.write(render.store_json(path, ks, [a for a, _ in labels]))
    else:
        parts: list[str] = []
        if alias is None:
            parts.append(render.header(ks))
        for label, entry in labels:
            if verbose or rfc:
                parts.append(render.entry_long(label, entry, rfc=rfc))
                if alias is None:
                    parts.append(render.ENTRY_SEPARATOR)
            else:
                parts.append(render.entry_plain(label, entry))
        s.out.write("".join(parts))
        for label, entry in labels:
            tag = "The certificate" if alias is not None else f"<{label}>"
            for w in render.weak_warnings(tag, entry):
                s.warn(w)
    maybe_jks_warning(path, ks)


# ---------------------------------------------------------------------------
def changealias(
    alias: o.Alias = None,
    destalias: o.DestAlias = None,
    keypass: o.KeyPass = None,
    keystore: o.Keystore = None,
    storepass: o.StorePass = None,
    storetype: o.StoreType = None,
    verbose: o.Verbose = False,
    name_rules: o.NameRules = None,
    backup: o.Backup = False,
    lock_timeout: o.LockTimeout = None,
    cacerts: o.Cacerts = False,
) -> None:
    """Changes an entry's alias.

    Example: keystoretool -changealias -alias old -destalias new -keystore ks.jks -storepass pw
    """
    set_lock_timeout(lock_timeout)
    src = alias or "mykey"
    if destalias is None:
        destalias = ask_alias("Enter destination alias name:  ", "Must specify destination alias")
    check_name(name_rules, destalias)
    path = resolve_keystore(keystore, storetype, cacerts)
    with modify_store(path, storepass, storetype, verbose=verbose, backup=backup) as opened:
        ks = opened.keystore
        if destalias in ks:
            raise AliasError(f"Destination alias <{destalias}> already exists")
        entry = ks.get(src)
        recover_key(entry, ks, src, keypass)
        ks.rename(src, destalias)
    maybe_jks_warning(path, ks)


# ---------------------------------------------------------------------------
def delete(
    alias: o.Alias = None,
    keystore: o.Keystore = None,
    storepass: o.StorePass = None,
    storetype: o.StoreType = None,
    verbose: o.Verbose = False,
    backup: o.Backup = False,
    lock_timeout: o.LockTimeout = None,
    cacerts: o.Cacerts = False,
) -> None:
    """Deletes an entry.

    Example: keystoretool -delete -alias old -keystore ks.jks -storepass pw
    """
    set_lock_timeout(lock_timeout)
    if alias is None:
        alias = ask_alias("Enter alias name:  ", "Must specify alias")
    path = resolve_keystore(keystore, storetype, cacerts)
    with modify_store(path, storepass, storetype, verbose=verbose, backup=backup) as opened:
        opened.keystore.delete(alias)
    maybe_jks_warning(path, opened.keystore)


# ---------------------------------------------------------------------------
def importkeystore(
    srckeystore: o.SrcKeystore = None,
    destkeystore: o.DestKeystore = None,
    srcstoretype: o.SrcStoreType = None,
    deststoretype: o.DestStoreType = None,
    srcstorepass: o.SrcStorePass = None,
    deststorepass: o.DestStorePass = None,
    srcalias: o.SrcAlias = None,
    destalias: o.DestAlias = None,
    srckeypass: o.SrcKeyPass = None,
    destkeypass: o.DestKeyPass = None,
    noprompt: o.NoPrompt = False,
    verbose: o.Verbose = False,
    keypass_for: o.KeyPassFor = None,
    p12_profile: o.P12Profile = None,
    name_rules: o.NameRules = None,
    backup: o.Backup = False,
    lock_timeout: o.LockTimeout = None,
    keep_unattached_certs: o.KeepUnattached = False,
) -> None:
    """Imports one or all entries from another keystore.

    Example: keystoretool -importkeystore -srckeystore a.jks -destkeystore a.p12
    -srcalias client -srcstoretype jks -deststoretype pkcs12
    """
    set_lock_timeout(lock_timeout)
    Importer(
        src_path=srckeystore, dest_path=destkeystore, src_type=srcstoretype,
        dest_type=deststoretype, src_pass=srcstorepass, dest_pass=deststorepass,
        src_alias=srcalias, dest_alias=destalias, src_keypass=srckeypass,
        dest_keypass=destkeypass, noprompt=noprompt, verbose=verbose,
        keypass_for=_parse_keypass_for(keypass_for or []), p12_profile=p12_profile,
        name_rules=name_rules, backup=backup, keep_unattached=keep_unattached_certs,
    ).run()


def _parse_keypass_for(items: list[str]) -> dict[str, str]:
    from ..entries import java_lower

    out: dict[str, str] = {}
    for item in items:
        alias, sep, source = item.partition("=")
        if not sep or not alias:
            # the value is not quoted back: without "=" it may be a bare password
            raise UsageError("--keypass-for takes ALIAS=SOURCE (e.g. client=env:KEYPW)")
        out[java_lower(alias)] = passwords.parse_source(source)
    return out


@dataclasses.dataclass
class Importer:
    """keytool -importkeystore, step by step (keytool-facts §7)."""

    src_path: str | None
    dest_path: str | None
    src_type: str | None
    dest_type: str | None
    src_pass: str | None
    dest_pass: str | None
    src_alias: str | None
    dest_alias: str | None
    src_keypass: str | None
    dest_keypass: str | None
    noprompt: bool
    verbose: bool
    keypass_for: dict[str, str]
    p12_profile: str | None
    name_rules: str | None
    backup: bool
    keep_unattached: bool = False

    def run(self) -> None:
        s = session()
        dest_keypass = passwords.resolve(self.dest_keypass)
        if dest_keypass is not None:
            passwords.require_length(dest_keypass, "New password")
        if not self.src_path:
            raise KeystoreToolError("Please specify -srckeystore")
        if self.p12_profile not in (None, "modern", "legacy"):
            raise UsageError(f"Unknown --p12-profile {self.p12_profile}: use modern or legacy")
        src_path = self.src_path
        dest_path = self.dest_path or default_keystore()
        if os.path.isfile(src_path) and os.path.getsize(src_path) == 0:
            raise KeystoreToolError(f"Source keystore file exists, but is empty: {src_path}")
        in_place = (
            os.path.exists(src_path) and os.path.exists(dest_path)
            and os.path.samefile(src_path, dest_path)
        )
        if not in_place:
            s.info(f"Importing keystore {src_path} to {dest_path}...")
        if not os.path.exists(src_path) or os.path.isdir(src_path):
            raise KeystoreToolError(f"{src_path} (No such file or directory)")

        # destination: probe, then its password
        dest_exists = os.path.exists(dest_path) and not in_place
        if in_place:
            dest_type = (self.dest_type or DEFAULT_STORE_TYPE).upper()
        elif dest_exists:
            dest_type = detect_store_type(read_existing(dest_path), self.dest_type)
        else:
            dest_type = new_store_type(self.dest_type)
        dest_pw: str | None = None
        if not in_place:
            dest_pw = store_password(self.dest_pass, modifying=True, new=not dest_exists,
                                     prompt="Enter destination keystore password:  ")

        # source: probe, then its password
        src_data = read_existing(src_path)
        detect_store_type(src_data, self.src_type)
        src_pw = store_password(self.src_pass, modifying=False,
                                prompt="Enter source keystore password:  ", box=SRC_INTEGRITY_BOX)
        src = KeystoreModel.loads(src_data, src_pw, self.src_type)
        report_load(src, keep_unattached=self.keep_unattached)
        if in_place:
            dest_pw = src_pw
        if self.src_alias is None and (self.dest_alias is not None or self.src_keypass is not None):
            raise KeystoreToolError(
                "if alias not specified, destalias and srckeypass must not be specified")
        if self.src_alias is not None:
            src.get(self.src_alias)
            check_name(self.name_rules, self.dest_alias or self.src_alias)

        if in_place:
            # The source is the keystore being replaced: what is migrated is
            # what is read under its lock, not the copy read for the checks.
            with edit_store(src_path, src_pw, self.src_type, verbose=self.verbose,
                            backup=False) as held:
                src = held.keystore
                dest = KeystoreModel.new(dest_type, dest_pw, profile=self.p12_profile)
                dest.path = dest_path
                self._import_all(src, dest, dest_keypass)
                self._migrate(src_path, src, dest)
        else:
            with edit_store(dest_path, dest_pw, self.dest_type, verbose=self.verbose,
                            backup=self.backup, profile=self.p12_profile,
                            create_type=None if dest_exists else dest_type) as target:
                dest = target.keystore
                self._import_all(src, dest, dest_keypass)
                target.changed = True
        maybe_jks_warning(dest_path, dest)

    def _import_all(self, src: KeystoreModel, dest: KeystoreModel,
                    dest_keypass: str | None) -> None:
        s = session()
        if dest.store_type == StoreType.PKCS12 and dest_keypass is not None:
            warn_pkcs12_keypass(dest, dest_keypass, "destkeypass")
            dest_keypass = None
        warn_pkcs12_password(dest, dest.password)
        if self.src_alias is not None:
            self._import_one(src, dest, self.src_alias, self.dest_alias or self.src_alias,
                             single=True, dest_keypass=dest_keypass)
            return
        from .progress import progress

        _unlock_pkcs12_keys_in_parallel(src)
        ok = failed = 0
        with progress(len(src), "Importing") as tick:  # only on a terminal
            for alias in src.aliases():
                if self.name_rules:
                    check_name(self.name_rules, alias)
                result = self._import_one(src, dest, alias, alias, single=False,
                                          dest_keypass=dest_keypass)
                tick()
                if result is True:
                    ok += 1
                else:
                    failed += 1
                    if result == "quit":
                        failed += len(src) - ok - failed
                        break
        s.info(f"Import command completed:  {ok} entries successfully imported, "
               f"{failed} entries failed or cancelled")

    def _import_one(self, src: KeystoreModel, dest: KeystoreModel, label: str, dest_alias: str,
                    *, single: bool, dest_keypass: str | None) -> bool | str:
        s = session()
        entry = src.get(label)
        if dest_alias in dest:
            if self.noprompt:
                s.err.write(
                    f"Warning: Overwriting existing alias {label} in destination keystore\n")
            elif not s.prompter.yes_no(f"Existing entry alias {label} exists, overwrite? [no]:  "):
                new = s.prompter.line(
                    "Enter new alias name\t(RETURN to cancel import for this entry):  ")
                if new is None:  # end of input: keytool fails here too (and writes nothing)
                    raise AliasError(f"Alias <{dest_alias}> already exists in the destination "
                                     "keystore and no new alias was given")
                if not new:
                    s.info(f"Entry for alias {label} not imported.")
                    return False
                dest_alias = new
        keypass_spec = self.src_keypass if single else None
        from ..entries import java_lower

        keypass_spec = self.keypass_for.get(java_lower(label), keypass_spec)
        unlocked_with = recover_key(entry, src, label, keypass_spec, option="srckeypass")
        copy = dataclasses.replace(entry, extras={})
        copy.created = now()
        if isinstance(copy, (PrivateKeyEntry, SecretKeyEntry)):
            if dest.store_type == StoreType.PKCS12:
                protect = dest.password
                copy.key_password = None
            else:
                protect = dest_keypass or unlocked_with
                copy.key_password = None if protect == dest.password else protect
            if protect != unlocked_with or copy.sealed is None or \
                    copy.sealed.format != dest.store_type:
                copy.sealed = None
        try:
            dest.put(dest_alias, copy, replace=True)
        except KeystoreToolError as exc:
            s.info(f"Problem importing entry for alias {label}: {exc}.\n"
                   f"Entry for alias {label} not imported.")
            if not single and not self.noprompt:
                if s.prompter.yes_no("Do you want to quit the import process? [no]:  "):
                    return "quit"
            return False  # keytool goes on, writes the store and exits 0 (also with -srcalias)
        if not single:
            s.info(f"Entry for alias {label} successfully imported.")
        return True

    def _migrate(self, path: str, src: KeystoreModel, dest: KeystoreModel) -> None:
        """In-place import: the original is kept as NAME.old (.old2, ...),
        copied atomically to a name nothing exists at (never through a link
        planted there); called with the keystore's lock held."""
        from .. import storage

        s = session()
        backup = path + ".old"
        n = 1
        while True:
            try:
                storage.keep_copy(path, backup)
                break
            except FileExistsError:
                n += 1
                backup = f"{path}.old{n}"
            except OSError as exc:
                raise KeystoreToolError(f"Cannot write {backup}: {exc.strerror}") from None
        save(dest, path, verbose=self.verbose)
        if src.store_type != dest.store_type:
            s.warn(f'Migrated "{path}" to {dest.store_type}. The {src.store_type} keystore is '
                   f'backed up as "{backup}".')
        else:
            s.warn(f'The original keystore "{path}" is backed up as "{backup}"...')


def _unlock_pkcs12_keys_in_parallel(src: KeystoreModel) -> None:
    """Whole-store import from a PKCS12: the import loop unlocks every key with
    the store password (``recover_key``), a PBKDF2 of 10,000 iterations each.
    Run those derivations first on a thread pool (``hashlib.pbkdf2_hmac``
    releases the GIL); a key that does not open stays sealed, and the loop
    then reports it in order exactly as before."""
    if src.store_type != StoreType.PKCS12 or src.password is None:
        return
    keys = [e for e in src if isinstance(e, (PrivateKeyEntry, SecretKeyEntry))
            and not e.is_unlocked]
    workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                  else os.cpu_count() or 1, 8)
    if len(keys) < 4 or workers < 2:
        return
    from concurrent.futures import ThreadPoolExecutor

    password = src.password

    def unlock(entry: PrivateKeyEntry | SecretKeyEntry) -> None:
        try:
            entry.unlock(password)
        except Exception:  # noqa: BLE001 - the import loop meets it again, in order
            pass

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(unlock, keys))


COMMANDS = {
    "list": list_,
    "changealias": changealias,
    "delete": delete,
    "importkeystore": importkeystore,
}
