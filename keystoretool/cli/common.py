"""What every command shares: the per-run session (prompts, warnings,
output streams), opening keystores in keytool's order of checks and prompts,
and saving them under the lock.

The order keytool follows, which scripts depend on: line prompts (aliases)
first; then the file is probed (missing, empty or garbage files are reported
before any password prompt); then the store password; then key passwords.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO, cast

from ..entries import Entry, PrivateKeyEntry, SecretKeyEntry, TrustedCertEntry
from ..errors import KeystoreToolError, UnrecoverableKeyError
from ..formats import DEFAULT_STORE_TYPE, PROPRIETARY, WRITABLE, StoreType
from ..model import Keystore, StoreChange, pkcs12_password_warning
from . import passwords
from .passwords import Prompter

INTEGRITY_BOX = (
    "\n*****************  WARNING WARNING WARNING  *****************\n"
    "* The integrity of the information stored in your keystore  *\n"
    "* has NOT been verified!  In order to verify its integrity, *\n"
    "* you must provide your keystore password.                  *\n"
    "*****************  WARNING WARNING WARNING  *****************\n\n"
)
SRC_INTEGRITY_BOX = (
    "\n*****************  WARNING WARNING WARNING  *****************\n"
    "* The integrity of the information stored in the srckeystore*\n"
    "* has NOT been verified!  In order to verify its integrity, *\n"
    "* you must provide the srckeystore password.                *\n"
    "*****************  WARNING WARNING WARNING  *****************\n\n"
)
PKCS12_KEYPASS_WARNING = (
    "Warning:  Different store and key passwords not supported for PKCS12 KeyStores. "
    "Ignoring user-specified -{opt} value."
)


class LineTrackingStream:
    """A text stream that remembers whether the cursor is at the start of a
    line, so an error after an unanswered prompt starts on a line of its own."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.at_line_start = True

    def write(self, text: str) -> int:
        if text:
            self.at_line_start = text.endswith("\n")
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()


class Session:
    """State of one command run: where output goes, prompts, warnings."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None,
                 prompter: Prompter | None = None, lock_timeout: float | None = None) -> None:
        self.out: TextIO = out if out is not None else sys.stdout
        self.err: TextIO = err if err is not None else cast(
            TextIO, LineTrackingStream(sys.stderr))
        self.prompter: Prompter = prompter if prompter is not None else Prompter(err=self.err)
        self.warnings: list[str] = []
        self.lock_timeout = lock_timeout
        #: What each keystore save of this run changed (batch reports them).
        self.changes: list[StoreChange] = []

    def end_line(self) -> None:
        """Finish a prompt line left open (before an error or warnings)."""
        if not getattr(self.err, "at_line_start", True):
            self.err.write("\n")

    def warn(self, line: str) -> None:
        if line not in self.warnings:
            self.warnings.append(line)

    def info(self, text: str) -> None:
        """An informational line on stderr (keytool's "[Storing x]" etc.)."""
        self.err.write(text + "\n")
        self.err.flush()

    def flush_warnings(self) -> None:
        if self.warnings:
            self.err.write("\nWarning:\n" + "".join(w + "\n" for w in self.warnings))
            self.err.flush()
            self.warnings.clear()


_session: Session | None = None


def session() -> Session:
    global _session
    if _session is None:
        _session = Session()
    return _session


def set_session(s: Session | None) -> None:
    global _session
    _session = s


def set_lock_timeout(value: float | None) -> None:
    """--lock-timeout of the running command."""
    if value is not None:
        session().lock_timeout = value


def warn_pkcs12_keypass(ks: Keystore, keypass: str | None, option: str = "keypass") -> None:
    """keytool's warning when a PKCS12 is given a key password other than the store's."""
    if ks.store_type == StoreType.PKCS12 and keypass is not None and ks.password is not None \
            and keypass != ks.password:
        session().err.write(PKCS12_KEYPASS_WARNING.format(opt=option) + "\n")


def warn_pkcs12_password(ks: Keystore, password: str | None) -> None:
    """keytool refuses a non-ASCII PKCS12 password; we write the file but say so."""
    if ks.store_type == StoreType.PKCS12 and password is not None:
        warning = pkcs12_password_warning(password)
        if warning:
            session().warn(warning)


def default_keystore() -> str:
    """keytool's default: ${user.home}/.keystore."""
    return os.path.join(user_home(), ".keystore")


def user_home() -> str:
    """Java's ``user.home``. POSIX: the passwd entry's home folder, not
    ``$HOME``. Windows: the user profile folder, as the shell reports it
    (``FOLDERID_Profile``, which is what Java asks for), else ``USERPROFILE``."""
    if sys.platform == "win32":
        return _windows_profile() or os.environ.get("USERPROFILE") or os.path.expanduser("~")
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_dir
    except (ImportError, KeyError):  # no passwd entry (a container's arbitrary uid)
        return os.path.expanduser("~")


def _windows_profile() -> str | None:
    """SHGetKnownFolderPath(FOLDERID_Profile), or None where it fails."""
    try:
        import ctypes
        import uuid
        from ctypes import wintypes

        guid = uuid.UUID("{5E6C858F-0E22-4760-9AFE-EA3317B67173}")  # FOLDERID_Profile
        raw = (ctypes.c_ubyte * 16).from_buffer_copy(guid.bytes_le)
        out = ctypes.c_wchar_p()
        shell32 = ctypes.windll.shell32  # type: ignore[attr-defined]
        shell32.SHGetKnownFolderPath.argtypes = [
            ctypes.c_void_p, wintypes.DWORD, wintypes.HANDLE, ctypes.POINTER(ctypes.c_wchar_p)]
        if shell32.SHGetKnownFolderPath(ctypes.byref(raw), 0, None, ctypes.byref(out)) != 0:
            return None
        try:
            return out.value
        finally:
            ctypes.windll.ole32.CoTaskMemFree(out)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - any failure: fall back to USERPROFILE
        return None


def cacerts_path() -> str:
    """The JDK's cacerts: $JAVA_HOME's, else the keytool on PATH's, else Debian's."""
    import shutil

    candidates = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(os.path.join(os.environ["JAVA_HOME"], "lib", "security", "cacerts"))
    keytool = shutil.which("keytool")
    if keytool:
        home = os.path.dirname(os.path.dirname(os.path.realpath(keytool)))
        candidates.append(os.path.join(home, "lib", "security", "cacerts"))
    candidates.append("/etc/ssl/certs/java/cacerts")
    for path in candidates:
        if os.path.exists(path):
            return path
    raise KeystoreToolError("Cannot find the JDK cacerts keystore (set JAVA_HOME)")


def resolve_keystore(keystore: str | None, storetype: str | None, cacerts: bool) -> str:
    """-keystore, or -cacerts, or keytool's default ~/.keystore."""
    if cacerts:
        if keystore is not None or storetype is not None:
            raise KeystoreToolError(
                "The -keystore or -storetype option cannot be used with the -cacerts option")
        return cacerts_path()
    return keystore or default_keystore()


def jks_warning(path: str, store_type: str) -> str:
    return (
        f"The {store_type} keystore uses a proprietary format. It is recommended to migrate "
        "to PKCS12 which is an industry standard format using "
        f'"keystoretool -importkeystore -srckeystore {path} -destkeystore {path} '
        '-deststoretype pkcs12".'
    )


#: Set to 1 (any non-empty value but 0) to silence the proprietary-format warning.
NO_JKS_WARNING_ENV = "KEYSTORETOOL_NO_JKS_WARNING"

#: Keystores already warned about in this batch (None: not in a batch).
_jks_warned: set[str] | None = None


def maybe_jks_warning(path: str, ks: Keystore) -> None:
    """keytool's proprietary-format warning: JKS/JCEKS files holding anything
    but trusted certificates. Only keytool's own commands call this (the
    extras, such as chain, check or exportpem, never warn); in a batch it is
    given once per keystore; ``KEYSTORETOOL_NO_JKS_WARNING=1`` turns it off."""
    if os.environ.get(NO_JKS_WARNING_ENV, "") not in ("", "0"):
        return
    if ks.store_type in PROPRIETARY and ks.has_secret_or_key_entries():
        if _jks_warned is not None:
            key = os.path.realpath(path)
            if key in _jks_warned:
                return
            _jks_warned.add(key)
        session().warn(jks_warning(path, ks.store_type))


@contextlib.contextmanager
def jks_warning_once() -> Iterator[None]:
    """Within the block (a batch), each keystore gets the JKS warning once."""
    global _jks_warned
    saved, _jks_warned = _jks_warned, set()
    try:
        yield
    finally:
        _jks_warned = saved


def read_existing(path: str) -> bytes:
    from .. import storage

    return storage.read_keystore(path)


def detect_store_type(data: bytes, store_type: str | None) -> str:
    from .. import formats

    return formats.resolve_type(data, store_type)


def ask_alias(prompt: str, missing_message: str) -> str:
    answer = session().prompter.line(prompt)
    if not answer:
        raise KeystoreToolError(missing_message)
    return answer


def store_password(spec: str | None, *, modifying: bool, new: bool = False,
                   prompt: str = "Enter keystore password:  ",
                   box: str = INTEGRITY_BOX) -> str | None:
    """The store password from its option, or keytool's prompt.

    ``new``: the store is about to be created; a password from the option
    must have at least 6 characters, one typed at the prompt is asked twice.
    """
    pw = passwords.resolve(spec)
    if pw is not None:
        if new:
            passwords.require_length(pw, "Keystore password")
        return pw
    pw = session().prompter.store_password(modifying=modifying, prompt=prompt, new=new)
    if pw is None and not modifying:
        session().err.write(box)
    return pw


def new_store_type(storetype: str | None) -> str:
    """The type of a keystore about to be created (``-storetype``, PKCS12 by
    default), refused before any password is asked, as keytool does."""
    store_type = (storetype or DEFAULT_STORE_TYPE).upper()
    if store_type not in WRITABLE:
        raise KeystoreToolError(f"{store_type} not found")
    return StoreType(store_type)


@dataclass
class Opened:
    path: str
    keystore: Keystore


def open_store(path: str | None, storepass: str | None, storetype: str | None, *,
               modifying: bool, keep_unattached: bool = False,
               prompt: str = "Enter keystore password:  ") -> Opened:
    """Open an existing keystore for reading: probe, then password, then parse."""
    path = path or default_keystore()
    data = read_existing(path)
    detect_store_type(data, storetype)
    pw = store_password(storepass, modifying=modifying, prompt=prompt)
    ks = Keystore.loads(data, pw, storetype)
    ks.path = path
    report_load(ks, keep_unattached=keep_unattached)
    return Opened(path, ks)


#: The option that reads certificates keytool ignores (see ``report_load``).
KEEP_UNATTACHED = "--keep-unattached-certs"


def report_load(ks: Keystore, *, keep_unattached: bool = False) -> None:
    """Warn about what the store held that is not read as an entry; with
    ``keep_unattached`` make certificates that belong to no key and carry no
    trust attribute trusted-certificate entries instead (keytool ignores them)."""
    s = session()
    for line in ks.load_warnings:
        s.warn(line)
    if not ks.unattached:
        return
    if keep_unattached:
        ks.keep_unattached()
        return
    n = len(ks.unattached)
    s.warn(f"{n} certificate{'s' if n != 1 else ''} that belong{'s' if n == 1 else ''} to no "
           f"key and carr{'ies' if n == 1 else 'y'} no trust attribute "
           f"{'was' if n == 1 else 'were'} skipped, as keytool skips them; "
           f"{KEEP_UNATTACHED} reads them as trusted certificate entries.")


@contextlib.contextmanager
def modify_store(path: str | None, storepass: str | None, storetype: str | None,
                 *, verbose: bool = False, backup: bool = False) -> Iterator[Opened]:
    """Open an existing keystore for a read-modify-write under the lock; the
    store is saved atomically when the block finishes without an error.

    The file is probed and the store password asked before the lock is
    taken (keytool's order of messages and prompts; no other writer waits
    for someone typing a password); the store that is changed is the one
    read under the lock."""
    path = path or default_keystore()
    detect_store_type(read_existing(path), storetype)
    pw = store_password(storepass, modifying=True)
    with edit_store(path, pw, storetype, verbose=verbose, backup=backup) as target:
        target.changed = True
        yield target


def _lock_kwargs() -> dict[str, float]:
    t = session().lock_timeout
    return {} if t is None else {"timeout": t}


def save(ks: Keystore, path: str, *, verbose: bool, backup: bool = False) -> None:
    note = getattr(ks.state, "rewrite_note", None)  # a PKCS12 too weak to reuse as is
    if note:
        session().info(note)
    if verbose:
        session().info(f"[Storing {path}]")
    session().changes.append(ks.save(path, backup=backup, notice=_notice))


def _notice(line: str) -> None:
    """storage's one line when a write could not be atomic."""
    s = session()
    s.end_line()
    s.info(line)


def recover_key(entry: Entry, ks: Keystore, alias_typed: str, keypass_spec: str | None,
                *, option: str = "keypass") -> str | None:
    """Unlock a key entry as keytool recovers it; returns the password that did.

    JKS/JCEKS: -keypass if given (no fallback), else the store password, else
    keytool's prompt (3 tries on an empty answer). PKCS12: the store password;
    a different -keypass is ignored with keytool's warning.
    """
    if isinstance(entry, TrustedCertEntry):
        return None
    assert isinstance(entry, (PrivateKeyEntry, SecretKeyEntry))
    keypass = passwords.resolve(keypass_spec)
    if ks.store_type == StoreType.PKCS12:
        warn_pkcs12_keypass(ks, keypass, option)
        entry.unlock(ks.password)
        return ks.password
    if keypass is not None:
        entry.unlock(keypass)
        return keypass
    if ks.password is not None:
        try:
            entry.unlock(ks.password)
            return ks.password
        except UnrecoverableKeyError:
            pass
    for _ in range(3):
        pw = session().prompter.password(f"Enter key password for <{alias_typed}>")
        if pw:
            entry.unlock(pw)
            return pw
    raise KeystoreToolError("Too many failures - try later")


@dataclass
class Target(Opened):
    """A keystore being changed; the command sets ``changed`` when it must be
    saved. ``created``: it did not exist when the lock was taken."""

    changed: bool = False
    created: bool = False


@contextlib.contextmanager
def edit_store(path: str, password: str | None, storetype: str | None, *,
               verbose: bool, backup: bool, create_type: str | None = None,
               profile: str | None = None) -> Iterator[Target]:
    """THE write path of every command that changes a keystore: lock, decide
    whether the file exists and read it under the lock, yield the model,
    then (when the command set ``changed``) write it verified and atomically
    before the lock is released. Nothing read before the lock is changed.

    ``create_type``: the file may be created with this type. If it exists
    once the lock is held (another process created it meanwhile), the change
    is made to that file instead, which must open with ``password``.
    """
    from .. import storage

    with storage.locked(path, **_lock_kwargs()) as held:
        if held.exists:
            try:
                ks = Keystore.loads(read_existing(path), password, storetype)
            except KeystoreToolError as exc:
                if create_type is None:
                    raise
                raise KeystoreToolError(
                    f"{path} was created by another process meanwhile and does not open "
                    f"with the password and type given ({exc}); run the command again") from None
            report_load(ks)
            if (storetype or "").upper() == StoreType.JCEKS and ks.store_type == StoreType.JKS:
                # keytool's JCEKS provider reads JKS files and stores JCEKS: so do we
                ks.store_type = StoreType.JCEKS
        elif create_type is not None:
            ks = Keystore.new(create_type, password, profile=profile)
        else:
            raise KeystoreToolError(f"Keystore file does not exist: {path}")
        ks.path = path
        target = Target(path, ks, created=not held.exists)
        yield target
        if target.changed:
            save(ks, path, verbose=verbose, backup=backup)


@contextlib.contextmanager
def open_or_create(path: str, storepass: str | None, storetype: str | None, *,
                   verbose: bool, backup: bool) -> Iterator[Target]:
    """A keystore to change that may not exist yet (genkeypair, importcert, importpem).

    An existing file: probe, password, load, as every modifying command. A
    new one: ``-storetype`` (default PKCS12); its password must have at least
    6 characters and is asked twice at the prompt. The store is saved when
    the block ends without an error and the command set ``changed``; a new
    store nothing was added to is not created. Two commands creating one
    keystore at once: the second adds its change to the first one's file.
    """
    if os.path.exists(path):
        detect_store_type(read_existing(path), storetype)
        pw = store_password(storepass, modifying=True)
        create_type = None
    else:
        create_type = new_store_type(storetype)
        pw = store_password(storepass, modifying=True, new=True)
        if create_type == StoreType.PKCS12 and pw is not None:
            warning = pkcs12_password_warning(pw)
            if warning:
                session().warn(warning)
    with edit_store(path, pw, storetype, verbose=verbose, backup=backup,
                    create_type=create_type) as target:
        yield target


@contextlib.contextmanager
def store_for_change(path: str, storepass: str | None, storetype: str | None, *,
                     verbose: bool, backup: bool) -> Iterator[Target]:
    """:func:`open_or_create`, where a command that changed nothing is no error."""
    with open_or_create(path, storepass, storetype, verbose=verbose, backup=backup) as target:
        yield target
