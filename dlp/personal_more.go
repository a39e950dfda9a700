package dlp

import (
	"bytes"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// Types reported by the personal-data detectors of this file.
const (
	Phone       Type = "PHONE"
	IPv4        Type = "IPV4"
	IPv6        Type = "IPV6"
	DateOfBirth Type = "DATE_OF_BIRTH"
	UKNINO      Type = "UK_NINO"
	ESDNI       Type = "ES_DNI"
	NLBSN       Type = "NL_BSN"
)

// morePersonalDetectors are personal-data formats beyond the core set in
// detectors.go.
//
// Cost: most of them start from digit runs, which are frequent in logs
// (timestamps, ids), so each has a Run gate that looks at a few bytes around
// the run before a window is made; the slow validators (phone-number
// parsing takes tens of microseconds) run only on what passes the gate and
// the pattern. Detectors that need a context word (national phone numbers
// without a country code, dates of birth, the Dutch BSN) are anchored on
// those words instead, which are rare.
var morePersonalDetectors = []Detector{
	// Phone number in international form: "+", a country calling code
	// and the national number, grouped with spaces, dashes, dots or a
	// bracketed area code ("+44 20 3946 0321", "+1 (415) 867-2301",
	// "+49 (0)30 2345678"); or a NANP number in its usual national layout
	// ("(415) 867-2301", "415-867-2301", "415.867.2301"). ITU-T E.164 (at
	// most 15 digits); validated with libphonenumber's metadata
	// (github.com/nyaruka/phonenumbers: Parse, then IsValidNumber; NANP
	// numbers with the default region US). Numbers reserved for fiction
	// (NANP 555-0100 to 555-0199, Ofcom's drama ranges) are not reported.
	// 0.85 with a country code, 0.65 without; phone words raise it,
	// order/invoice/tracking words lower it.
	{Name: "phone", Type: Phone, Digits: 7, Run: phoneRun, Before: 16,
		Pattern:  `\+[1-9][0-9]{0,2}(?:[ .\-]?\([0-9]{1,4}\))?(?:[ .\-]?[0-9]+){1,7}|(?:\([2-9][0-9]{2}\) ?|\b(?:1[ .\-])?[2-9][0-9]{2}[ .\-])[2-9][0-9]{2}[ .\-][0-9]{4}\b`,
		Validate: validPhone,
		Context:  &Context{Words: phoneWords, Raise: 0.1, Negative: notPersonalIDWords, Lower: 0.3}},
	// Phone number in national form ("020 3946 0321", "06 12 34 56 78",
	// "(030) 2345678", "4158672301"): too much like any other number to
	// report alone, so only near a phone word (Required), and valid by
	// libphonenumber for the default region US or for one of the European
	// regions in phoneRegions (with its national prefix, mostly 0, where
	// the region has one). The number must not follow a "+", a ")" or
	// digits and a space (it would be the tail of an international number)
	// nor touch a letter or digit after it. 0.6, 0.8 with the word.
	{Name: "phone-national", Type: Phone, Keywords: nationalPhoneWords, Before: 32, After: 64, Precheck: hasDigits(7),
		Pattern:  `(?:^ ?|[^0-9A-Za-z+) ]|[^0-9+)] )(\(?[0-9]{2,5}\)?(?:[ .\-/]?[0-9]{2,8}){1,5})([0-9A-Za-z]?)`,
		Group:    1,
		Validate: validNationalPhone,
		Context:  &Context{Words: nationalPhoneWords, Raise: 0.2, Required: true}},
	// IPv4 address, dotted decimal (RFC 791; no leading zeros, each octet
	// 0-255, checked with net/netip). Not part of a longer dotted number
	// (an SNMP OID, "1.2.3.4.5"), of a word ("v1.2.3.4", "go1.26.8.1") or of
	// a product version ("Chrome/120.0.0.0": a "/" before it that is not
	// the "//" of a URL). Only public unicast addresses are reported, 0.8
	// (not loopback, private or documentation ones; see ipConfidence for
	// why); address words (ip, client, remote_addr, from) raise it, and a
	// version word near it (version, release, build) drops it.
	{Name: "ipv4", Type: IPv4, Digits: 4, Dots: 3, Run: ipv4Run,
		Pattern:  `([0-9]{1,3}(?:\.[0-9]{1,3}){3})(\.[0-9])?`,
		Group:    1,
		Validate: validIPv4,
		Context:  ipContext},
	// IPv6 address in full ("2001:0db8:0000:0000:0000:ff00:0042:8329"),
	// compressed ("2001:db8::ff00:42:8329", RFC 5952 canonical form) or
	// with an embedded IPv4 address ("::ffff:192.0.2.10"), RFC 4291
	// section 2.2; parsed with net/netip. A zone ("%eth0") or a port is not
	// part of the finding. Candidates are chains of six colons or a "::"
	// (Colons), so timestamps and MAC addresses are never windows. As for
	// IPv4, only public (global unicast, 2000::/3) addresses are reported,
	// 0.8, and a v4-mapped one only if its IPv4 address is public; the
	// same context words apply.
	{Name: "ipv6", Type: IPv6, Colons: 6, Before: 8, After: 48,
		Pattern:  `((?:[0-9A-Fa-f]{1,4}|::(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f]{1,4})?)(?:::?(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f]{1,4}))*(?:::)?)(:*)`,
		Group:    1,
		Validate: validIPv6,
		Context:  ipContext},
	// Date of birth: an ISO 8601 date (1980-01-31), a numeric day, month and
	// year with / . or - (31/01/1980, 01/31/1980, 31.01.1980) or a date
	// with the month's name in English, German, French or Spanish (31
	// January 1980, January 31, 1980, 31. Januar 1980, 31 de enero de
	// 1980), only near a birth word (Required): dates alone are everywhere.
	// It must be a real calendar date (either day-month order) in a
	// plausible birth year, 1900 to today. 0.7, 0.9 with the word.
	{Name: "date-of-birth", Type: DateOfBirth, Keywords: dobKeywords, Before: 64, After: 128, Multiline: true,
		Precheck: hasDigits(4),
		Pattern:  dobPattern,
		Validate: validDOB,
		Context:  &Context{Words: dobWords, Raise: 0.2, Required: true, Window: 64}},
	// UK National Insurance number: two prefix letters, six digits, a
	// suffix A-D, printed with or without spaces ("AB 12 34 56 C"). HMRC
	// National Insurance Manual NIM39110: D, F, I, Q, U and V are never
	// either prefix letter, O never the second, and the prefixes BG, GB, KN,
	// NK, NT, TN and ZZ are not allocated. There is no check digit: the
	// prefix rules are the validation. 0.7; NINO words raise it, order or
	// invoice words lower it.
	{Name: "uk-nino", Type: UKNINO, Digits: 6, Run: ninoRun, Before: 3, After: 2,
		Pattern:  `\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]\b`,
		Validate: validNINO,
		Context:  &Context{Words: ninoWords, Raise: 0.2, Negative: notPersonalIDWords, Lower: 0.3}},
	// Spanish DNI (8 digits and a check letter) and NIE (X, Y or Z, 7
	// digits and a check letter), optionally with a dash or space before
	// the letter. Ministerio del Interior, "Cálculo del dígito de control
	// del NIF/NIE" (Real Decreto 1553/2005, art. 11): the letter is
	// TRWAGMYFPDXBNJZSQVHLCKE[n mod 23], with X, Y, Z read as 0, 1, 2. The
	// Ministry's worked example 12345678Z is not reported. 0.75; DNI words
	// raise it, order or invoice words lower it.
	{Name: "es-dni", Type: ESDNI, Digits: 7, Run: dniRun, Before: 1, After: 2,
		Pattern:  `\b(?:[0-9]{8}|[XYZ][0-9]{7})[ \-]?[TRWAGMYFPDXBNJZSQVHLCKE]\b`,
		Validate: validDNI,
		Context:  &Context{Words: dniWords, Raise: 0.2, Negative: notPersonalIDWords, Lower: 0.3}},
	// Dutch burgerservicenummer: 9 digits (also printed 1234.56.782 or
	// 123 456 782) passing the BSN variant of the 11-test: 9*d1 + 8*d2 +
	// ... + 2*d8 - d9 is a multiple of 11 (RvIG, "Logisch Ontwerp BSN").
	// One random number in 11 passes, so only near a BSN word (Required).
	// 0.75, 0.9 with the word.
	{Name: "nl-bsn", Type: NLBSN, Keywords: bsnWords, Before: 32, After: 64, Precheck: hasDigits(9),
		Pattern:  `(?:^|[^0-9A-Za-z.])([0-9]{4}\.[0-9]{2}\.[0-9]{3}|[0-9]{3} [0-9]{3} [0-9]{3}|[0-9]{9})(?:[^0-9A-Za-z]|$)`,
		Group:    1,
		Validate: validBSN,
		Context:  &Context{Words: bsnWords, Raise: 0.15, Required: true}},
}

// Context words. They match whole words, ASCII case-insensitively, within
// 48 bytes of a match unless the detector says otherwise.
var (
	phoneWords = []string{"phone", "phones", "phonenumber", "telephone", "tel", "mobile", "mob", "cell", "cellphone",
		"fax", "whatsapp", "sms", "msisdn", "telefon", "telefono", "teléfono", "téléphone", "handy", "call", "contact"}
	// nationalPhoneWords are the phone words strong enough to make a
	// national number a phone number: not "call" ("on-call", "api call")
	// or "contact".
	nationalPhoneWords = []string{"phone", "phones", "phonenumber", "telephone", "tel", "mobile", "mob", "cell", "cellphone",
		"fax", "whatsapp", "sms", "msisdn", "telefon", "telefono", "teléfono", "téléphone", "handy"}
	// notPersonalIDWords say a number is a business reference, not a
	// person's number.
	notPersonalIDWords = []string{"order", "invoice", "tracking", "sku", "serial", "part", "ref", "reference", "ticket", "isbn", "product"}
	// ipContext looks only 16 bytes around an address: a version word
	// drops the match ("version 1.2.3.4"), so it must be the address's own
	// label, not prose further along the line ("the release bot").
	ipContext = &Context{
		Words: []string{"ip", "ips", "ipv4", "ipv6", "ipaddress", "addr", "address", "remoteaddr", "clientip", "client",
			"remote", "src", "source", "dst", "peer", "host", "from", "forwarded"},
		Raise:    0.15,
		Negative: []string{"version", "ver", "release", "build", "firmware", "sdk", "oid"},
		Lower:    1,
		Window:   16,
	}
	// dobKeywords anchor date-of-birth windows (substrings: "birth" also
	// finds birthday, birthdate, date_of_birth, dateOfBirth); dobWords are
	// the whole words Context requires.
	dobKeywords = []string{"dob", "d.o.b", "born", "birth", "geboren", "geburtsdatum", "geb.", "né", "née", "naissance", "nacimiento", "nascita"}
	dobWords    = []string{"dob", "d.o.b", "born", "birth", "birthday", "birthdate", "dateofbirth", "date of birth", "geboren",
		"geburtsdatum", "geb", "né", "née", "naissance", "nacimiento", "nascita"}
	ninoWords = []string{"nino", "nin", "ni", "national insurance", "insurance"}
	dniWords  = []string{"dni", "nie", "nif", "documento", "identidad", "identificación", "id"}
	bsnWords  = []string{"bsn", "burgerservicenummer", "sofinummer", "sofi"}
)

func decDigit(c byte) bool    { return '0' <= c && c <= '9' }
func upperLetter(c byte) bool { return 'A' <= c && c <= 'Z' }

// hasDigits returns a Precheck that passes windows holding at least n
// digits.
func hasDigits(n int) func([]byte) bool {
	return func(w []byte) bool {
		k := 0
		for _, c := range w {
			if decDigit(c) {
				if k++; k >= n {
					return true
				}
			}
		}
		return false
	}
}

// phoneRun passes a digit run that follows a "+" (at most 12 bytes back,
// over digits, brackets and separators: "+1 (415) 867-2301" ends in the run
// 867-2301) or that has a NANP layout.
func phoneRun(in []byte, start, end int) bool {
back:
	for i := start - 1; i >= 0 && i >= start-12; i-- {
		switch c := in[i]; {
		case c == '+':
			return true
		case decDigit(c), c == ' ', c == '(', c == ')', c == '-', c == '.':
		default:
			break back
		}
	}
	r := in[start:end]
	if len(r) == 14 && r[0] == '1' && !decDigit(r[1]) {
		r = r[2:] // 1-415-867-2301
	}
	switch len(r) {
	case 12: // 415-867-2301, 415 867 2301, 415.867.2301
		return !decDigit(r[3]) && !decDigit(r[7]) && r[0] >= '2' && r[4] >= '2'
	case 8: // 867-2301 after "(415) " or "(415)"
		if decDigit(r[3]) || r[0] < '2' {
			return false
		}
		i := start - 1
		if i >= 0 && in[i] == ' ' {
			i--
		}
		return i >= 4 && in[i] == ')' && in[i-4] == '(' && decDigit(in[i-1]) && decDigit(in[i-2]) && decDigit(in[i-3])
	}
	return false
}

// validPhone validates a number in international form or a NANP number
// with libphonenumber.
func validPhone(value, _ []byte) (float64, bool) {
	if n := len(onlyDigits(value)); n < 7 || n > 15 {
		return 0, false
	}
	if value[0] == '+' {
		if num, ok := parsePhone(value, ""); ok {
			return 0.85, !fictionalPhone(num)
		}
		return 0, false
	}
	if num, ok := parsePhone(value, "US"); ok {
		return 0.65, !fictionalPhone(num)
	}
	return 0, false
}

// phoneRegions are the default regions tried, in order, for a national
// number near a phone word: the US first, then European regions.
var phoneRegions = []string{"US", "GB", "DE", "FR", "ES", "IT", "NL", "BE", "AT", "CH", "IE", "PT", "PL", "SE", "DK", "NO"}

// phoneTrunkPrefix is the national (trunk) prefix of each region of
// phoneRegions but the US, whose numbers are written without their "1".
var phoneTrunkPrefix = func() map[string]string {
	m := map[string]string{}
	for _, r := range phoneRegions[1:] {
		m[r] = phonenumbers.GetNddPrefixForRegion(r, true)
	}
	return m
}()

// validNationalPhone validates a national number for the first region of
// phoneRegions it is valid in. For a region with a national prefix (0 in
// most of Europe) the number must start with it, so that a bare number is
// not read as a national number of every country at once.
func validNationalPhone(value, match []byte) (float64, bool) {
	if !bytes.HasSuffix(match, value) {
		return 0, false // a letter or digit right after it
	}
	d := onlyDigits(value)
	if len(d) < 7 || len(d) > 15 {
		return 0, false
	}
	for _, region := range phoneRegions {
		if p := phoneTrunkPrefix[region]; p != "" && !strings.HasPrefix(string(d), p) {
			continue
		}
		if num, ok := parsePhone(value, region); ok {
			return 0.6, !fictionalPhone(num)
		}
	}
	return 0, false
}

func parsePhone(value []byte, region string) (*phonenumbers.PhoneNumber, bool) {
	num, err := phonenumbers.Parse(string(value), region)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return nil, false
	}
	return num, true
}

// ukDramaPrefixes are national-number prefixes (without the trunk 0) of
// ranges Ofcom keeps for TV and radio drama, 1000 numbers each: 020 7946
// 0xxx, 0113-0118/0121/0131/0141/0151/0161 496 0xxx, 0191 498 0xxx, 028
// 9649 6xxx, 029 2018 0xxx, 01632 960xxx, 07700 900xxx, 08081 570xxx, 0909
// 879 0xxx, 03069 990xxx (Ofcom, "Telephone numbers for drama purposes").
var ukDramaPrefixes = []string{"2079460", "1134960", "1144960", "1154960", "1164960", "1174960", "1184960",
	"1214960", "1314960", "1414960", "1514960", "1614960", "1914980", "2896496", "2920180",
	"1632960", "7700900", "8081570", "9098790", "3069990"}

// fictionalPhone reports numbers reserved for fiction, which reach no one:
// NANP 555-0100 to 555-0199 and Ofcom's drama ranges. Like documented
// sample credentials they are not reported.
func fictionalPhone(num *phonenumbers.PhoneNumber) bool {
	nat := strconv.FormatUint(num.GetNationalNumber(), 10)
	switch num.GetCountryCode() {
	case 1:
		return len(nat) == 10 && nat[3:8] == "55501"
	case 44:
		for _, p := range ukDramaPrefixes {
			if strings.HasPrefix(nat, p) {
				return true
			}
		}
	}
	return false
}

// ipv4Run rejects a dotted run that continues a dotted number or follows
// a product name and "/" (Chrome/120.0.0.0); a URL's "//" is fine.
func ipv4Run(in []byte, start, _ int) bool {
	if start == 0 {
		return true
	}
	switch in[start-1] {
	case '.':
		return false
	case '/':
		return start >= 2 && in[start-2] == '/'
	}
	return true
}

func inPrefixes(ps []netip.Prefix, a netip.Addr) bool {
	return slices.ContainsFunc(ps, func(p netip.Prefix) bool { return p.Contains(a) })
}

func mustPrefixes(ss ...string) []netip.Prefix {
	ps := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		ps[i] = netip.MustParsePrefix(s)
	}
	return ps
}

var (
	// ipNotPublic are the IPv4 ranges of the IANA special-purpose
	// registry (RFC 6890) that are not public unicast and that netip's
	// IsPrivate, IsLoopback, IsLinkLocalUnicast, IsMulticast and
	// IsUnspecified do not cover: "this network" (0.0.0.0/8), shared
	// carrier-grade NAT space (RFC 6598), IETF protocol assignments,
	// benchmarking (RFC 2544), the reserved 240.0.0.0/4 with the broadcast
	// address (where netmasks such as 255.255.255.0 fall), and the
	// documentation ranges (RFC 5737).
	ipNotPublic = mustPrefixes("0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15", "240.0.0.0/4",
		"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
	// ipv6Unicast is where IANA allocates global unicast IPv6 addresses;
	// the rest of the space is reserved, local (fc00::/7, fe80::/10) or
	// multicast, and text like "a::b" (a Rust path) or "1::2" (a Python
	// slice) falls there. ipv6Documentation (RFC 3849) is inside it.
	ipv6Unicast       = netip.MustParsePrefix("2000::/3")
	ipv6Documentation = netip.MustParsePrefix("2001:db8::/32")
)

// ipConfidence says whether an address is reported and with what
// confidence: public unicast addresses only, 0.8.
//
// A public address can identify a person (a home connection, a phone's
// carrier address), so it is reported. Loopback (127.0.0.0/8, ::1),
// unspecified (0.0.0.0, ::), multicast, broadcast and reserved addresses
// name no host, or the same one on every machine. Private, shared and
// link-local addresses (10/8, 172.16/12, 192.168/16, 100.64/10,
// 169.254/16, fc00::/7, fe80::/10) are reused in every network, so alone
// they identify no one outside it, and they fill the infrastructure logs
// and configuration the gateway passes on ("listening on 127.0.0.1:8080",
// "db at 10.0.12.7"): masking them would only damage those. Documentation
// addresses (RFC 5737, RFC 3849) are samples and, like sample credentials,
// are not reported.
func ipConfidence(a netip.Addr) (float64, bool) {
	a = a.Unmap()
	switch {
	case a.IsLoopback(), a.IsUnspecified(), a.IsMulticast(), a.IsPrivate(), a.IsLinkLocalUnicast():
		return 0, false
	case a.Is4() && inPrefixes(ipNotPublic, a):
		return 0, false
	case a.Is6() && (!ipv6Unicast.Contains(a) || ipv6Documentation.Contains(a)):
		return 0, false
	}
	return 0.8, true
}

// validIPv4 parses a dotted quad; a match that goes on with ".digit" is a
// longer dotted number, not an address.
func validIPv4(value, match []byte) (float64, bool) {
	if len(match) != len(value) {
		return 0, false
	}
	a, err := netip.ParseAddr(string(value))
	if err != nil || !a.Is4() {
		return 0, false
	}
	return ipConfidence(a)
}

// validIPv6 parses an IPv6 address (at least two colons, so "fe80::1" but
// not a lone "ab:cd"). The match may go on with colons: one after a group
// is punctuation ("… ::1: refused"), but after a "::" it makes ":::",
// which no address has.
func validIPv6(value, match []byte) (float64, bool) {
	if strings.Count(string(value), ":") < 2 || len(match) > len(value) && bytes.HasSuffix(value, []byte("::")) {
		return 0, false
	}
	a, err := netip.ParseAddr(string(value))
	if err != nil || !a.Is6() {
		return 0, false
	}
	return ipConfidence(a)
}

// monthNames maps month names and their usual abbreviations in English,
// German, French and Spanish to month numbers.
var monthNames = map[string]int{
	"jan": 1, "january": 1, "januar": 1, "janvier": 1, "enero": 1,
	"feb": 2, "february": 2, "februar": 2, "février": 2, "fevrier": 2, "febrero": 2,
	"mar": 3, "march": 3, "märz": 3, "maerz": 3, "mars": 3, "marzo": 3,
	"apr": 4, "april": 4, "avril": 4, "abril": 4,
	"may": 5, "mai": 5, "mayo": 5,
	"jun": 6, "june": 6, "juni": 6, "juin": 6, "junio": 6,
	"jul": 7, "july": 7, "juli": 7, "juillet": 7, "julio": 7,
	"aug": 8, "august": 8, "août": 8, "aout": 8, "agosto": 8,
	"sep": 9, "sept": 9, "september": 9, "septembre": 9, "septiembre": 9,
	"oct": 10, "october": 10, "okt": 10, "oktober": 10, "octobre": 10, "octubre": 10,
	"nov": 11, "november": 11, "novembre": 11, "noviembre": 11,
	"dec": 12, "december": 12, "dez": 12, "dezember": 12, "décembre": 12, "decembre": 12, "dic": 12, "diciembre": 12,
}

// dobPattern matches the date forms of the date-of-birth detector: ISO
// year-month-day, numeric day-month-year or month-day-year, and dates with
// a month name.
var dobPattern = func() string {
	names := make([]string, 0, len(monthNames))
	for n := range monthNames {
		names = append(names, n)
	}
	// Longest first, so "june" is not cut to "jun".
	slices.Sort(names)
	slices.SortStableFunc(names, func(a, b string) int { return len(b) - len(a) })
	month := `(?i:` + strings.Join(names, "|") + `)`
	const (
		day  = `(?:0?[1-9]|[12][0-9]|3[01])`
		mon  = `(?:0?[1-9]|1[0-2])`
		year = `(?:19|20)[0-9]{2}`
		sep  = `[\-/.]`
		ord  = `(?:st|nd|rd|th)?`
	)
	return `\b(?:` + year + sep + mon + sep + day +
		`|` + day + sep + day + sep + year +
		`|` + day + ord + `\.? (?:de |of )?` + month + `\.?,? (?:de )?` + year +
		`|` + month + `\.? ` + day + ord + `,? ` + year + `)\b`
}()

// dobNow is the clock for the birth-year check.
var dobNow = time.Now

// validDOB accepts a real calendar date from 1900 to today; a numeric date
// that is not ISO is accepted if it is real as day-month or as month-day.
func validDOB(value, _ []byte) (float64, bool) {
	var nums []string
	month := 0
	for f := range strings.FieldsFuncSeq(string(value), func(r rune) bool {
		return r == ' ' || r == ',' || r == '.' || r == '/' || r == '-'
	}) {
		if m, ok := monthNames[strings.ToLower(f)]; ok {
			month = m
			continue
		}
		if i := strings.IndexFunc(f, func(r rune) bool { return r < '0' || r > '9' }); i != 0 {
			if i > 0 {
				f = f[:i] // 31st
			}
			nums = append(nums, f)
		}
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	switch {
	case month > 0 && len(nums) == 2:
		d, y := atoi(nums[0]), atoi(nums[1])
		if len(nums[0]) == 4 {
			d, y = y, d
		}
		return 0.7, birthDate(y, month, d)
	case month == 0 && len(nums) == 3 && len(nums[0]) == 4:
		return 0.7, birthDate(atoi(nums[0]), atoi(nums[1]), atoi(nums[2]))
	case month == 0 && len(nums) == 3:
		a, b, y := atoi(nums[0]), atoi(nums[1]), atoi(nums[2])
		return 0.7, birthDate(y, b, a) || birthDate(y, a, b)
	}
	return 0, false
}

// birthDate reports whether y-m-d is a real date from 1900 to today.
func birthDate(y, m, d int) bool {
	if y < 1900 || m < 1 || m > 12 || d < 1 {
		return false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t.Day() == d && t.Month() == time.Month(m) && !t.After(dobNow())
}

// ninoRun passes six digits (or three pairs) after two capital letters and
// before a suffix A-D, each optionally across one space.
func ninoRun(in []byte, start, end int) bool {
	if n := end - start; n != 6 && n != 8 {
		return false
	}
	i := start - 1
	if i >= 0 && in[i] == ' ' {
		i--
	}
	if i < 1 || !upperLetter(in[i]) || !upperLetter(in[i-1]) {
		return false
	}
	j := end
	if j < len(in) && in[j] == ' ' {
		j++
	}
	return j < len(in) && 'A' <= in[j] && in[j] <= 'D'
}

// ninoUnallocated are prefixes HMRC does not allocate (NIM39110).
var ninoUnallocated = []string{"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}

// validNINO applies the prefix rules the pattern does not.
func validNINO(value, _ []byte) (float64, bool) {
	return 0.7, !slices.Contains(ninoUnallocated, string(value[:2]))
}

// dniRun passes a run ending in 8 digits (a DNI) or in 7 digits after X, Y
// or Z (a NIE), followed by a capital letter, optionally after a dash or a
// space.
func dniRun(in []byte, start, end int) bool {
	j := end
	if j < len(in) && (in[j] == '-' || in[j] == ' ') {
		j++
	}
	if j >= len(in) || !upperLetter(in[j]) {
		return false
	}
	n := 0
	for i := end - 1; i >= start && decDigit(in[i]); i-- {
		n++
	}
	switch n {
	case 8:
		return true
	case 7:
		i := end - 8
		return i >= 0 && (in[i] == 'X' || in[i] == 'Y' || in[i] == 'Z')
	}
	return false
}

// dniLetters is the check letter for each remainder mod 23.
const dniLetters = "TRWAGMYFPDXBNJZSQVHLCKE"

// validDNI checks the letter of a DNI or NIE.
func validDNI(value, _ []byte) (float64, bool) {
	if string(value) == "12345678Z" {
		return 0, false // the Ministry's worked example
	}
	n := 0
	for _, c := range value[:len(value)-1] {
		switch {
		case decDigit(c):
			n = n*10 + int(c-'0')
		case c == 'X', c == 'Y', c == 'Z':
			n = int(c - 'X')
		}
	}
	// 00000000T and X0000000T pass the check but are dummies.
	return 0.75, n > 0 && dniLetters[n%23] == value[len(value)-1]
}

// validBSN applies the 11-test. 123456782, the usual worked example, is
// not reported.
func validBSN(value, _ []byte) (float64, bool) {
	d := onlyDigits(value)
	if len(d) != 9 || string(d) == "123456782" || string(d) == "000000000" {
		return 0, false
	}
	sum := -int(d[8] - '0')
	for i, c := range d[:8] {
		sum += (9 - i) * int(c-'0')
	}
	return 0.75, sum%11 == 0
}
