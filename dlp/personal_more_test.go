package dlp

import (
	"testing"
)

// All personal data in this file is made up for these tests.

// morePersonalPositives are true positives of the detectors of
// personal_more.go: the detector, a text, and the value it must report.
var morePersonalPositives = []struct{ det, in, value string }{
	{"phone", "call me on +44 20 3946 0321 after 6", "+44 20 3946 0321"},
	{"phone", "Tel: +1 (415) 867-2301", "+1 (415) 867-2301"},
	{"phone", "Kontakt +49 (0)30 2345 6789 (Zentrale)", "+49 (0)30 2345 6789"},
	{"phone", "mobile=+33 6 12 48 73 95;", "+33 6 12 48 73 95"},
	{"phone", `{"msisdn":"+34612487395"}`, "+34612487395"},
	{"phone", "+7 (495) 248-73-95 office", "+7 (495) 248-73-95"},
	{"phone", "+81 3-5248-7395", "+81 3-5248-7395"},
	{"phone", "support line (415) 867-2301 ext 4", "(415) 867-2301"},
	{"phone", "(415)867-2301", "(415)867-2301"},
	{"phone", "212-736-4518", "212-736-4518"},
	{"phone", "reach 646.248.7395.", "646.248.7395"},
	{"phone", "dial 1-415-867-2301 now", "1-415-867-2301"},
	{"phone-national", "Tel. 020 3946 0321", "020 3946 0321"},
	{"phone-national", "Telefon: 030 2345 6789", "030 2345 6789"},
	{"phone-national", "mobile 06 12 48 73 95", "06 12 48 73 95"},
	{"phone-national", "phone 4158672301", "4158672301"},
	{"phone-national", "whatsapp: 612 48 73 95", "612 48 73 95"},
	{"phone-national", "Tel (030) 2345678", "(030) 2345678"},
	{"phone-national", "0044 20 3946 0321 (mobile)", "0044 20 3946 0321"},
	{"ipv4", "client 84.17.52.209 connected", "84.17.52.209"},
	{"ipv4", "X-Forwarded-For: 81.24.69.142, 10.0.0.1", "81.24.69.142"},
	{"ipv4", "http://151.42.65.7/path", "151.42.65.7"},
	{"ipv4", "Failed password for root from 203.45.61.7 port 22 ssh2", "203.45.61.7"},
	{"ipv4", `{"ip":"95.142.13.77"}`, "95.142.13.77"},
	{"ipv4", "peer=95.142.13.77:51234", "95.142.13.77"},
	{"ipv6", "client 2a02:8108:1d40:2b00:5d43:eab2:1c7e:3f9b", "2a02:8108:1d40:2b00:5d43:eab2:1c7e:3f9b"},
	{"ipv6", "[2001:470:1f0b:9c2::17]:443", "2001:470:1f0b:9c2::17"},
	{"ipv6", "src=2a01:4f8:c17:3ad::1%eth0", "2a01:4f8:c17:3ad::1"},
	{"ipv6", "addr 2600:1f18:0000:0000:0000:0000:0000:0a2b.", "2600:1f18:0000:0000:0000:0000:0000:0a2b"},
	{"ipv6", "mapped ::ffff:84.17.52.209 ok", "::ffff:84.17.52.209"},
	{"ipv6", "2A02:8108:1D40:2B00::77", "2A02:8108:1D40:2B00::77"},
	{"date-of-birth", "Date of birth: 1980-01-31", "1980-01-31"},
	{"date-of-birth", "DOB 31/01/1980", "31/01/1980"},
	{"date-of-birth", "born on 01/31/1980 in Ohio", "01/31/1980"},
	{"date-of-birth", "geboren am 31.01.1980", "31.01.1980"},
	{"date-of-birth", "she was born 31 January 1980", "31 January 1980"},
	{"date-of-birth", "birthday: March 3rd, 1975", "March 3rd, 1975"},
	{"date-of-birth", `{"date_of_birth":"1992-07-04"}`, "1992-07-04"},
	{"date-of-birth", `{"dateOfBirth":"1992-07-04"}`, "1992-07-04"},
	{"date-of-birth", "née le 14 juillet 1989 à Lyon", "14 juillet 1989"},
	{"date-of-birth", "fecha de nacimiento: 5 de mayo de 1990", "5 de mayo de 1990"},
	{"date-of-birth", "name,dob\nAnn,1980-01-31", "1980-01-31"},
	{"uk-nino", "NI number: AB 12 34 56 C", "AB 12 34 56 C"},
	{"uk-nino", "nino=JG103759A", "JG103759A"},
	{"uk-nino", "national insurance CE 48 73 95 B", "CE 48 73 95 B"},
	{"uk-nino", "(PW482731D)", "PW482731D"},
	{"es-dni", "DNI 48273951X", "48273951X"},
	{"es-dni", "nif: 73104582-W", "73104582-W"},
	{"es-dni", "documento 50918264 J", "50918264 J"},
	{"es-dni", "NIE Y4829137W", "Y4829137W"},
	{"es-dni", "Z7015482G", "Z7015482G"},
	{"nl-bsn", "BSN: 273409153", "273409153"},
	{"nl-bsn", "burgerservicenummer 6182.94.375", "6182.94.375"},
	{"nl-bsn", "bsn 273 409 153.", "273 409 153"},
}

// morePersonalNegatives are near misses: the detector's type must not be
// reported in them.
var morePersonalNegatives = []struct{ det, in string }{
	{"phone", "phone +1 415 555 0142"},             // NANP fiction range
	{"phone", "mobile +44 7700 900123"},            // Ofcom drama range
	{"phone", "tel +1 123 456 7890"},               // no such area code
	{"phone", "+44 20 1234"},                       // too short
	{"phone", "+999 1234567"},                      // no such country code
	{"phone", "2026-11-25 16:45:55 done"},          // timestamp
	{"phone", "2026-11-25T16:45:55+01:00"},         // offset, not a number
	{"phone", "ts 1732550400123 epoch 1732550400"}, // epoch
	{"phone", "order #2026-1125-4471"},             // order number
	{"phone", "order 100-234-5678"},                // area code 1xx
	{"phone", "invoice 20261125-000123"},           // invoice number
	{"phone", "card 4111 1111 1111 1111"},          // a card
	{"phone", "ip 84.17.52.209"},                   // an address
	{"phone", "id 123e4567-e89b-12d3-a456-426614174000"},
	{"phone", "x+4155552671"}, // a + inside a word
	{"phone", "1.5e+10 and 2.0e+12345678"},
	{"phone", "version 10.14.2.4155"},
	{"phone-national", "ping the on-call channel, bot id 7012345678"}, // "call" is not enough
	{"phone-national", "telemetry batch 4158672301 sent"},             // not the word tel
	{"phone-national", "tel 12345"},                                   // too short
	{"phone-national", "phone 1732550400"},                            // no such area code, no trunk 0
	{"phone-national", "phone 020 7946 0123"},                         // Ofcom drama range
	{"ipv4", "v1.2.3.4"},
	{"ipv4", "go1.26.8.1"},
	{"ipv4", "version 84.17.52.209"},
	{"ipv4", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0.0.0 Safari/537.36"},
	{"ipv4", "oid 1.3.6.1.4.1.2021.10"},
	{"ipv4", "listening on 127.0.0.1:8080"},
	{"ipv4", "ip 10.0.12.7"},
	{"ipv4", "gw 192.168.1.20 via 172.16.4.1"},
	{"ipv4", "bind 0.0.0.0"},
	{"ipv4", "netmask 255.255.255.0"},
	{"ipv4", "docs use 192.0.2.1 and 198.51.100.7"},
	{"ipv4", "999.1.1.1"},
	{"ipv4", "01.02.03.04"},
	{"ipv4", "mdns 224.0.0.251"},
	{"ipv4", "1.2.3.4.5"},
	{"ipv6", "::1"},
	{"ipv6", "[::]:8080"},
	{"ipv6", "fe80::1ff:fe23:4567:890a%eth0"},
	{"ipv6", "fd12:3456:789a::1"},
	{"ipv6", "ff02::1"},
	{"ipv6", "2001:db8::1"},
	{"ipv6", "std::vector<int> v; a::b(); x[1::2]"},
	{"ipv6", "dead::beef"},
	{"ipv6", "mac 00:1a:2b:3c:4d:5e at 16:45:55"},
	{"ipv6", "2a02:8108:::1"},
	{"ipv6", "id2a02:8108:1d40:2b00::77"},
	{"date-of-birth", "deployed 1984-02-29 at noon"},
	{"date-of-birth", "born 1981-02-29"},
	{"date-of-birth", "dob 2099-01-01"},
	{"date-of-birth", "born 1850-03-01"},
	{"date-of-birth", "stubborn bug since 2020-01-15"},
	{"date-of-birth", "birthday 31/31/1980"},
	{"uk-nino", "DA 12 34 56 C"},
	{"uk-nino", "AO 12 34 56 C"},
	{"uk-nino", "GB 12 34 56 A"},
	{"uk-nino", "QQ 12 34 56 A"},
	{"uk-nino", "AB 12 34 56 E"},
	{"uk-nino", "XAB123456C"},
	{"uk-nino", "AB1234567C"},
	{"es-dni", "DNI 12345678Z"},
	{"es-dni", "DNI 48273951A"},
	{"es-dni", "NIE Y4829137A"},
	{"es-dni", "DNI 148273951X"},
	{"es-dni", "ref 4827395X"},
	{"nl-bsn", "bsn 123456789"},
	{"nl-bsn", "bsn 123456782"},
	{"nl-bsn", "account 273409153"},
	{"nl-bsn", "bsn 2734091530"},
}

func personalDetectorType(t *testing.T, name string) Type {
	t.Helper()
	for _, d := range morePersonalDetectors {
		if d.Name == name {
			return d.Type
		}
	}
	t.Fatalf("no detector %s in morePersonalDetectors", name)
	return ""
}

// morePersonalTruePositives returns the positive cases in the form of
// TestDetectorsTruePositives, which requires a true positive of every
// built-in detector.
func morePersonalTruePositives() []struct {
	in    string
	typ   Type
	value string
} {
	types := map[string]Type{}
	for _, d := range morePersonalDetectors {
		types[d.Name] = d.Type
	}
	var out []struct {
		in    string
		typ   Type
		value string
	}
	for _, c := range morePersonalPositives {
		out = append(out, struct {
			in    string
			typ   Type
			value string
		}{c.in, types[c.det], c.value})
	}
	return out
}

// TestMorePersonalDetectors checks every detector of personal_more.go
// through the default scanner: each positive is reported with the
// detector's name and exact value, each near miss not at all with the
// detector's type.
func TestMorePersonalDetectors(t *testing.T) {
	t.Parallel()
	s := newDefault(t)
	fired := map[string]bool{}
	for _, c := range morePersonalPositives {
		got := s.Scan([]byte(c.in))
		ok := false
		for _, f := range got {
			if f.Detector == c.det && c.in[f.Start:f.End] == c.value {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s: Scan(%q) = %s, want %q", c.det, c.in, describe(c.in, got), c.value)
		}
		fired[c.det] = true
	}
	for _, c := range morePersonalNegatives {
		typ := personalDetectorType(t, c.det)
		for _, f := range s.Scan([]byte(c.in)) {
			if f.Type == typ {
				t.Errorf("%s: Scan(%q) reports %s %q (%s)", c.det, c.in, f.Type, c.in[f.Start:f.End], f.Detector)
			}
		}
	}
	for _, d := range morePersonalDetectors {
		if !fired[d.Name] {
			t.Errorf("detector %s has no positive case", d.Name)
		}
	}
}

// TestMorePersonalAnywhere embeds every positive in clean generated text,
// at several offsets, on its own line and inside a long line. The spaces
// keep the clean text's words ("the release bot") out of the 16 bytes the
// address detectors look at for context.
func TestMorePersonalAnywhere(t *testing.T) {
	t.Parallel()
	s := newDefault(t)
	clean := string(mixedText(4<<10, 0))
	const pad = "                "
	for _, c := range morePersonalPositives {
		for _, off := range []int{0, 1, 777, 2048, len(clean)} {
			for _, sep := range []string{"\n" + pad, pad} {
				in := clean[:off] + sep + c.in + sep + clean[off:]
				found := false
				for _, f := range s.Scan([]byte(in)) {
					if in[f.Start:f.End] == c.value && f.Detector == c.det {
						found = true
					}
				}
				if !found {
					t.Errorf("%s %q at offset %d (sep %q): not found", c.det, c.value, off, sep)
				}
			}
		}
	}
}

// TestMorePersonalConfidence checks the confidence rules: context words
// raise or lower it, or drop the match.
func TestMorePersonalConfidence(t *testing.T) {
	t.Parallel()
	s := newDefault(t)
	for _, c := range []struct {
		in, value string
		conf      float64 // 0: not reported
	}{
		{"reach me at +44 20 3946 0321", "+44 20 3946 0321", 0.85},
		{"phone +44 20 3946 0321", "+44 20 3946 0321", 0.95},
		{"order +44 20 3946 0321", "+44 20 3946 0321", 0.55},
		{"reach me at 212-736-4518", "212-736-4518", 0.65},
		{"call 212-736-4518", "212-736-4518", 0.75},
		{"order 212-736-4518", "212-736-4518", 0.35},
		{"Tel. 020 3946 0321", "020 3946 0321", 0.8},
		{"seen 84.17.52.209 twice", "84.17.52.209", 0.8},
		{"client ip 84.17.52.209", "84.17.52.209", 0.95},
		{"build 84.17.52.209", "84.17.52.209", 0},
		{"dob 1980-01-31", "1980-01-31", 0.9},
		{"AB 12 34 56 C", "AB 12 34 56 C", 0.7},
		{"NINO AB 12 34 56 C", "AB 12 34 56 C", 0.9},
		{"order AB 12 34 56 C", "AB 12 34 56 C", 0.4},
		{"48273951X", "48273951X", 0.75},
		{"DNI 48273951X", "48273951X", 0.95},
		{"bsn 273409153", "273409153", 0.9},
		{"ssn 536-22-1234", "536-22-1234", 0.95},
		{"536-22-1234", "536-22-1234", 0.8},
		{"tracking 536-22-1234", "536-22-1234", 0.5},
	} {
		var got *Finding
		fs := s.Scan([]byte(c.in))
		for i, f := range fs {
			if c.in[f.Start:f.End] == c.value {
				got = &fs[i]
			}
		}
		switch {
		case c.conf == 0 && got != nil:
			t.Errorf("%q: reported %s %q (%s), want nothing", c.in, got.Type, c.value, got.Detector)
		case c.conf > 0 && got == nil:
			t.Errorf("%q: %q not found in %s", c.in, c.value, describe(c.in, fs))
		case got != nil && (got.Confidence < c.conf-1e-9 || got.Confidence > c.conf+1e-9):
			t.Errorf("%q: confidence %v, want %v", c.in, got.Confidence, c.conf)
		}
	}
}

// TestPersonalValidators checks the checksums and calendar rules directly.
func TestPersonalValidators(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		valid func(value, match []byte) (float64, bool)
		in    string
		want  bool
	}{
		{"dni", validDNI, "48273951X", true},
		{"dni", validDNI, "48273951-X", true},
		{"dni", validDNI, "48273951T", false},
		{"nie X", validDNI, "X1234567L", true},
		{"nie Y", validDNI, "Y4829137W", true},
		{"nie Z", validDNI, "Z7015482G", true},
		{"dni example", validDNI, "12345678Z", false},
		{"dni zeros", validDNI, "00000000T", false},
		{"nie zeros", validDNI, "X0000000T", false},
		{"bsn", validBSN, "273409153", true},
		{"bsn", validBSN, "273409154", false},
		{"bsn zero", validBSN, "000000000", false},
		{"nino", validNINO, "AB123456C", true},
		{"nino", validNINO, "NK123456C", false},
		{"nino", validNINO, "TN123456C", false},
		{"dob leap", validDOB, "2000-02-29", true},
		{"dob not leap", validDOB, "1900-02-29", false},
		{"dob day-month", validDOB, "31/12/1999", true},
		{"dob month-day", validDOB, "12/31/1999", true},
		{"dob neither", validDOB, "13/13/1999", false},
		{"dob name", validDOB, "4 Dezember 1961", true},
		{"dob name first", validDOB, "Dec 4, 1961", true},
		{"dob 31 Feb", validDOB, "31 February 1980", false},
		{"ipv6 one colon", validIPv6, "ab:cd", false},
	} {
		if _, got := c.valid([]byte(c.in), []byte(c.in)); got != c.want {
			t.Errorf("%s(%q) = %v, want %v", c.name, c.in, got, c.want)
		}
	}
	if _, ok := validIPv4([]byte("84.17.52.209"), []byte("84.17.52.209.1")); ok {
		t.Error("validIPv4 accepted an address followed by .digit")
	}
}

// TestPhoneRun checks the digit-run gate of the phone detector, which keeps
// timestamps and ids from costing a pattern run each.
func TestPhoneRun(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		before, run string
		want        bool
	}{
		{"+", "44 20 3946 0321", true},
		{"+1 (415) ", "867-2301", true},
		{"(415) ", "867-2301", true},
		{"(415)", "867-2301", true},
		{"", "415-867-2301", true},
		{"tel ", "1 415 867 2301", true},
		{"", "2026-11-25", false},
		{"ts=", "1732550400", false},
		{"", "4111 1111 1111 1111", false},
		{"(41) ", "867-2301", false},
		{"x ", "867-2301", false},
		{"", "415-867-23011", false},
		{"", "115-867-2301", false},
	} {
		in := []byte(c.before + c.run)
		if got := phoneRun(in, len(c.before), len(in)); got != c.want {
			t.Errorf("phoneRun(%q, run %q) = %v, want %v", in, c.run, got, c.want)
		}
	}
}
