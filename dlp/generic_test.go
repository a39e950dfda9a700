package dlp

import (
	"regexp"
	"testing"
)

var genericRE = regexp.MustCompile(`^(?:` + genericPattern + `)`)

func checkGeneric(t *testing.T, text string) {
	t.Helper()
	want := []int{-1, -1}
	if loc := genericRE.FindStringSubmatchIndex(text); loc != nil {
		for g := 1; g <= 3; g++ {
			if loc[2*g] >= 0 {
				want = loc[2*g : 2*g+2]
				break
			}
		}
	}
	if s, e := matchGeneric([]byte(text)); s != want[0] || e != want[1] {
		t.Fatalf("matchGeneric(%q) = [%d,%d), regexp %v", text, s, e, want)
	}
}

func TestGenericMatcher(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"password=Tr0ub4dor&3x", `"db_password": "h7Gk2Lp9Qw3Zx8Vb"`, "client_secret: 'h7Gk2Lp9Qw3Zx8Vb'",
		"api_key=9f8e7d6c5b4aZ1Y2X3 region", `password: "correct horse, battery & staple"`, `pwd='a b'`,
		"secret = \"unterminated value here\nnext\"", `token="` + string(make([]byte, 130)) + `"`, `token = "short" + "x"`,
		"API-KEY\t=\t\"x\"", "token field is refreshed", "PWD:short",
		"access_key = ключ-доступа-очень-длинный", "secret=\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7", "tokenſ=abcdefghij",
		"passwd\v=abcdefghijk", "password = " + string(make([]byte, 200)), "apikey=" + "a0b1c2d3e4f5g6h7i8j9k0l1m2n3o4p5q6r7s8t9u0v1w2x3y4z5a0b1c2d3e4f5g6h7i8j9k0l1m2n3o4p5q6r7s8t9u0v1w2x3y4z5a0b1c2d3e4f5g6h7i8j9k0l1m2n3o4p5q6r7s8t9",
	} {
		for i := 0; i <= len(s); i++ {
			checkGeneric(t, s[:i])
		}
	}
}

func FuzzGenericMatcher(f *testing.F) {
	f.Add("password=Tr0ub4dor&3x")
	f.Add(`"db_password": "h7Gk2Lp9Qw3Zx8Vb"`)
	f.Fuzz(func(t *testing.T, s string) {
		// Windows start at an ASCII keyword, found by the prefilter.
		for _, k := range []string{"password", "TOKEN", "Api-Key"} {
			checkGeneric(t, k+s)
		}
	})
}
