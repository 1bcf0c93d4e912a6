package io.cargohold.upstream.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 7235): a scheme such as {@code Basic}
 * or {@code Bearer} and its parameters ({@code realm}, {@code service}, {@code scope}, ...), whose
 * names are lower-cased and whose quoted values may hold commas and escaped quotes.
 */
public record AuthChallenge(String scheme, Map<String, String> params) {

    public AuthChallenge {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    public boolean isBearer() {
        return scheme.equalsIgnoreCase("Bearer");
    }

    public boolean isBasic() {
        return scheme.equalsIgnoreCase("Basic");
    }

    public String param(String name) {
        return params.get(name.toLowerCase(Locale.ROOT));
    }

    /** Every challenge in the given header values, in order; unparseable parts are skipped. */
    public static List<AuthChallenge> parseAll(List<String> headerValues) {
        List<AuthChallenge> challenges = new ArrayList<>();
        for (String value : headerValues) {
            challenges.addAll(parse(value));
        }
        return challenges;
    }

    /** The challenges of one header value, e.g. {@code Bearer realm="https://a/token",service="a"}. */
    public static List<AuthChallenge> parse(String header) {
        List<AuthChallenge> challenges = new ArrayList<>();
        if (header == null) {
            return challenges;
        }
        Parser p = new Parser(header);
        while (true) {
            p.skip(" \t,");
            if (p.atEnd()) {
                return challenges;
            }
            String scheme = p.token();
            if (scheme.isEmpty()) {
                p.pos++; // a stray character: skip it rather than loop
                continue;
            }
            Map<String, String> params = new LinkedHashMap<>();
            while (true) {
                p.skip(" \t");
                int mark = p.pos;
                String name = p.token();
                p.skip(" \t");
                if (name.isEmpty() || p.peek() != '=') {
                    // not "name=": the next challenge's scheme (token68 values are not used by registries)
                    p.pos = mark;
                    break;
                }
                p.pos++; // '='
                p.skip(" \t");
                String value = p.peek() == '"' ? p.quoted() : p.until(", \t");
                params.put(name.toLowerCase(Locale.ROOT), value);
                p.skip(" \t");
                if (p.peek() == ',') {
                    p.pos++;
                }
            }
            challenges.add(new AuthChallenge(scheme, params));
        }
    }

    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        boolean atEnd() {
            return pos >= text.length();
        }

        char peek() {
            return atEnd() ? '\0' : text.charAt(pos);
        }

        void skip(String chars) {
            while (!atEnd() && chars.indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
        }

        /** An RFC 7230 token. */
        String token() {
            int start = pos;
            while (!atEnd() && isTokenChar(text.charAt(pos))) {
                pos++;
            }
            return text.substring(start, pos);
        }

        String until(String stops) {
            int start = pos;
            while (!atEnd() && stops.indexOf(text.charAt(pos)) < 0) {
                pos++;
            }
            return text.substring(start, pos);
        }

        String quoted() {
            StringBuilder value = new StringBuilder();
            pos++; // opening quote
            while (!atEnd()) {
                char c = text.charAt(pos++);
                if (c == '\\' && !atEnd()) {
                    value.append(text.charAt(pos++));
                } else if (c == '"') {
                    return value.toString();
                } else {
                    value.append(c);
                }
            }
            return value.toString(); // unterminated: take the rest
        }

        private static boolean isTokenChar(char c) {
            return c > 32 && c < 127 && "()<>@,;:\\\"/[]?={} \t".indexOf(c) < 0;
        }
    }
}
