package bcqkit.notebook;

import java.util.Locale;

/**
 * How much work a run does: {@code smoke} proves that everything executes (CI, seconds to minutes),
 * {@code quick} gives indicative figures, {@code full} the figures to report. Read from the
 * {@value #ENV} environment variable; notebooks and the CLI both go through {@link #current()}.
 */
public enum Profile {
    SMOKE, QUICK, FULL;

    public static final String ENV = "BCQ_PROFILE";
    public static final Profile DEFAULT = QUICK;

    public String id() { return name().toLowerCase(Locale.ROOT); }

    /** The profile named by {@value #ENV}; unset or empty means {@link #DEFAULT}. */
    public static Profile current() {
        return parse(System.getenv(ENV));
    }

    /** Parses a profile name, case-insensitively; {@code null} or blank gives {@link #DEFAULT}. */
    public static Profile parse(String value) {
        if (value == null || value.isBlank()) return DEFAULT;
        for (Profile p : values()) if (p.id().equalsIgnoreCase(value.strip())) return p;
        throw new IllegalArgumentException(ENV + "='" + value + "' is not a profile; expected smoke, quick or full");
    }

    /** The value for this profile, e.g. {@code int rows = Profile.current().pick(64, 1024, 8192)}. */
    public <T> T pick(T smoke, T quick, T full) {
        return switch (this) {
            case SMOKE -> smoke;
            case QUICK -> quick;
            case FULL -> full;
        };
    }
}
