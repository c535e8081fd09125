import java.io.*;
import java.lang.reflect.*;
import java.nio.file.*;

/** Runs many keytool 17 command lines in one JVM: keytool's own Main.run per line. */
public class KeytoolMany {
    public static void main(String[] argv) throws Exception {
        Class<?> main = Class.forName("sun.security.tools.keytool.Main");
        Method run = main.getDeclaredMethod("run", String[].class, PrintStream.class);
        run.setAccessible(true);
        Constructor<?> ctor = main.getDeclaredConstructor();
        ctor.setAccessible(true);
        for (String line : Files.readAllLines(Paths.get(argv[0]))) {
            if (line.isBlank()) continue;
            String[] args = line.split("\t");
            System.out.println("=== " + String.join(" ", args));
            System.out.flush();
            try {
                Object rc = run.invoke(ctor.newInstance(), args, System.out);
                System.out.println("=== rc " + rc);
            } catch (InvocationTargetException e) {
                System.out.println("keytool error: " + e.getCause());
                System.out.println("=== rc 1");
            }
            System.out.flush();
        }
    }
}
