"""keytool's password commands: storepasswd and keypasswd.

The order of prompts and checks follows keytool 17 (see ``cli/common.py``).
"""

from __future__ import annotations

from typing import Annotated

from ..entries import PrivateKeyEntry, SecretKeyEntry
from ..errors import KeystoreToolError
from ..formats import StoreType
from . import options as o
from . import passwords
from .cmd_certs import DEFAULT_ALIAS, key_entry
from .common import (
    default_keystore,
    detect_store_type,
    maybe_jks_warning,
    modify_store,
    read_existing,
    recover_key,
    session,
    set_lock_timeout,
    warn_pkcs12_password,
)
from .options import Opt

NewPass = Annotated[
    str | None, Opt("--new", help=o.pw_help("--new", "new password"), secret=o.LITERAL)
]


def storepasswd(
    new: NewPass = None,
    keystore: o.Keystore = None,
    storepass: o.StorePass = None,
    storetype: o.StoreType = None,
    verbose: o.Verbose = False,
    backup: o.Backup = False,
    lock_timeout: o.LockTimeout = None,
) -> None:
    """Changes the store password of a keystore.

    PKCS12 keys are re-protected with the new password; JKS/JCEKS keys keep
    their own key passwords, as with keytool.

    Example: keystoretool -storepasswd -new:env NEWPW -keystore client.p12 -storepass:env PW
    """
    set_lock_timeout(lock_timeout)
    new_pw = passwords.resolve(new)
    if new_pw is not None:
        passwords.require_length(new_pw, "New password")
    path = keystore or default_keystore()
    with modify_store(path, storepass, storetype, verbose=verbose, backup=backup) as opened:
        ks = opened.keystore
        old = ks.password
        if new_pw is None:
            new_pw = session().prompter.new_password("New keystore password: ",
                                             "Re-enter new keystore password: ", old=old)
        for alias in ks.aliases():
            entry = ks.get(alias)
            if not isinstance(entry, (PrivateKeyEntry, SecretKeyEntry)):
                continue
            if ks.store_type == StoreType.PKCS12:
                recover_key(entry, ks, alias, None)
                entry.key_password = None
                entry.sealed = None
            elif entry.key_password is None:
                entry.key_password = old  # the key stays protected by the old password
        ks.password = new_pw
        warn_pkcs12_password(ks, new_pw)
    maybe_jks_warning(path, ks)


def keypasswd(
    alias: o.Alias = None,
    keypass: o.KeyPass = None,
    new: NewPass = None,
    keystore: o.Keystore = None,
    storepass: o.StorePass = None,
    storetype: o.StoreType = None,
    verbose: o.Verbose = False,
    backup: o.Backup = False,
    lock_timeout: o.LockTimeout = None,
) -> None:
    """Changes the key password of an entry (JKS and JCEKS; PKCS12 has none).

    Example: keystoretool -keypasswd -alias client -keypass:env OLD -new:env NEW
    -keystore client.jks -storepass:env PW
    """
    set_lock_timeout(lock_timeout)
    new_pw = passwords.resolve(new)
    if new_pw is not None:
        passwords.require_length(new_pw, "New password")
    path = keystore or default_keystore()
    if StoreType.PKCS12 in (detect_store_type(read_existing(path), storetype),
                            (storetype or "").upper()):
        raise KeystoreToolError("-keypasswd commands not supported if -storetype is PKCS12")
    label = alias or DEFAULT_ALIAS
    with modify_store(path, storepass, storetype, verbose=verbose, backup=backup) as opened:
        ks = opened.keystore
        entry = key_entry(ks, label)
        old = recover_key(entry, ks, label, keypass)
        if new_pw is None:
            new_pw = session().prompter.new_password(f"New key password for <{label}>: ",
                                             f"Re-enter new key password for <{label}>: ",
                                             old=old)
        entry.sealed = None  # re-protect the clear key with the new password
        entry.key_password = None if new_pw == ks.password else new_pw
    maybe_jks_warning(path, ks)


COMMANDS = {
    "storepasswd": storepasswd,
    "keypasswd": keypasswd,
}
