"""keystoretool: Java keytool's keystore commands without a JVM."""
__version__ = "0.1.0"
