package wire

import (
	"bufio"
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/streamsql/streamsql/types"
)

// Authentication methods (Config.Auth), as pg_hba.conf names them.
const (
	AuthTrust    = "trust"         // whoever the client says it is
	AuthPassword = "password"      // cleartext password
	AuthMD5      = "md5"           // md5(md5(password+user)+salt)
	AuthSCRAM    = "scram-sha-256" // SCRAM-SHA-256 (RFC 5802/7677), no channel binding
)

// codeInvalidPassword is what a failed authentication reports.
const codeInvalidPassword types.Code = "28P01"

// scramIterations is the PBKDF2 iteration count of SCRAM-SHA-256 (Postgres' default).
const scramIterations = 4096

// ReadUsersFile reads "user:password" lines (blank lines and lines starting with # are skipped;
// the password is everything after the first colon).
func ReadUsersFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	users := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		user, password, ok := strings.Cut(line, ":")
		if !ok || user == "" {
			return nil, fmt.Errorf("%s:%d: want user:password", path, n)
		}
		users[user] = password
	}
	return users, sc.Err()
}

// authenticate runs the configured authentication exchange for user. It reports whether the
// session may start; on failure it has sent the FATAL error.
func (c *conn) authenticate(user string) bool {
	method := c.srv.cfg.Auth
	if method == AuthTrust {
		return true
	}
	password, known := c.srv.cfg.Users[user]
	if !known {
		// Go through the exchange with a password nobody knows, so that an unknown user is
		// told the same as a wrong password.
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		password = hex.EncodeToString(b)
	}
	var ok bool
	var err error
	switch method {
	case AuthPassword:
		ok, err = c.authCleartext(password)
	case AuthMD5:
		ok, err = c.authMD5(user, password)
	case AuthSCRAM:
		ok, err = c.authSCRAM(password)
	default:
		err = fmt.Errorf("unknown authentication method %q", method)
	}
	if err != nil && isDisconnect(err) {
		return false
	}
	if err != nil || !ok || !known {
		if err != nil {
			c.log.Debug("wire: authentication failed", "user", user, "err", err)
		}
		c.fatalClose(codeInvalidPassword, fmt.Sprintf("password authentication failed for user \"%s\"", user))
		return false
	}
	return true
}

// receiveAuth reads the client's answer to an authentication request.
func (c *conn) receiveAuth(authType uint32) (pgproto3.FrontendMessage, error) {
	if err := c.flush(); err != nil {
		return nil, err
	}
	if err := c.be.SetAuthType(authType); err != nil {
		return nil, err
	}
	msg, err := c.be.Receive()
	if err != nil {
		return nil, err
	}
	return msg, nil
}

func (c *conn) authCleartext(password string) (bool, error) {
	c.send(&pgproto3.AuthenticationCleartextPassword{})
	msg, err := c.receiveAuth(pgproto3.AuthTypeCleartextPassword)
	if err != nil {
		return false, err
	}
	pm, ok := msg.(*pgproto3.PasswordMessage)
	if !ok {
		return false, fmt.Errorf("expected a password message, got %T", msg)
	}
	return subtle.ConstantTimeCompare([]byte(pm.Password), []byte(password)) == 1, nil
}

// md5Password is what a client sends for MD5 authentication.
func md5Password(user, password string, salt [4]byte) string {
	inner := md5.Sum([]byte(password + user))
	h := md5.New()
	h.Write([]byte(hex.EncodeToString(inner[:])))
	h.Write(salt[:])
	return "md5" + hex.EncodeToString(h.Sum(nil))
}

func (c *conn) authMD5(user, password string) (bool, error) {
	var salt [4]byte
	_, _ = rand.Read(salt[:])
	c.send(&pgproto3.AuthenticationMD5Password{Salt: salt})
	msg, err := c.receiveAuth(pgproto3.AuthTypeMD5Password)
	if err != nil {
		return false, err
	}
	pm, ok := msg.(*pgproto3.PasswordMessage)
	if !ok {
		return false, fmt.Errorf("expected a password message, got %T", msg)
	}
	return subtle.ConstantTimeCompare([]byte(pm.Password), []byte(md5Password(user, password, salt))) == 1, nil
}

// authSCRAM is the server side of SCRAM-SHA-256 without channel binding.
func (c *conn) authSCRAM(password string) (bool, error) {
	c.send(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{"SCRAM-SHA-256"}})
	msg, err := c.receiveAuth(pgproto3.AuthTypeSASL)
	if err != nil {
		return false, err
	}
	first, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok {
		return false, fmt.Errorf("expected SASLInitialResponse, got %T", msg)
	}
	if first.AuthMechanism != "SCRAM-SHA-256" {
		return false, fmt.Errorf("unsupported SASL mechanism %q", first.AuthMechanism)
	}
	// client-first-message: gs2-header ("n,," or "y,,"; "p=..." asks for channel binding,
	// which is not offered) then client-first-message-bare "n=user,r=nonce".
	cf := string(first.Data)
	var bare string
	switch {
	case strings.HasPrefix(cf, "n,,"), strings.HasPrefix(cf, "y,,"):
		bare = cf[3:]
	default:
		return false, fmt.Errorf("unsupported SCRAM gs2 header in %q", cf)
	}
	clientNonce := scramAttr(bare, 'r')
	if clientNonce == "" {
		return false, fmt.Errorf("SCRAM client-first-message without a nonce")
	}
	nonceBytes := make([]byte, 18)
	_, _ = rand.Read(nonceBytes)
	nonce := clientNonce + base64.StdEncoding.EncodeToString(nonceBytes)
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	serverFirst := fmt.Sprintf("r=%s,s=%s,i=%d", nonce, base64.StdEncoding.EncodeToString(salt), scramIterations)
	c.send(&pgproto3.AuthenticationSASLContinue{Data: []byte(serverFirst)})

	msg, err = c.receiveAuth(pgproto3.AuthTypeSASLContinue)
	if err != nil {
		return false, err
	}
	final, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		return false, fmt.Errorf("expected SASLResponse, got %T", msg)
	}
	// client-final-message: "c=biws,r=nonce,p=proof".
	cfinal := string(final.Data)
	i := strings.LastIndex(cfinal, ",p=")
	if i < 0 {
		return false, fmt.Errorf("SCRAM client-final-message without a proof")
	}
	withoutProof := cfinal[:i]
	if scramAttr(withoutProof, 'r') != nonce {
		return false, fmt.Errorf("SCRAM nonce mismatch")
	}
	if cb := scramAttr(withoutProof, 'c'); cb != "biws" && cb != "eSws" { // base64 of "n,," and "y,,"
		return false, fmt.Errorf("SCRAM channel binding %q not supported", cb)
	}
	proof, err := base64.StdEncoding.DecodeString(cfinal[i+3:])
	if err != nil || len(proof) != sha256.Size {
		return false, fmt.Errorf("bad SCRAM proof")
	}

	salted, err := pbkdf2.Key(sha256.New, password, salt, scramIterations, sha256.Size)
	if err != nil {
		return false, err
	}
	clientKey := hmacSHA256(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	authMessage := bare + "," + serverFirst + "," + withoutProof
	clientSignature := hmacSHA256(storedKey[:], authMessage)
	recovered := make([]byte, sha256.Size)
	for k := range recovered {
		recovered[k] = proof[k] ^ clientSignature[k]
	}
	check := sha256.Sum256(recovered)
	if subtle.ConstantTimeCompare(check[:], storedKey[:]) != 1 {
		return false, nil
	}
	serverSignature := hmacSHA256(hmacSHA256(salted, "Server Key"), authMessage)
	c.send(&pgproto3.AuthenticationSASLFinal{Data: []byte("v=" + base64.StdEncoding.EncodeToString(serverSignature))})
	return true, nil
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	io.WriteString(h, msg)
	return h.Sum(nil)
}

// scramAttr returns the value of attribute name ("r", "c" ...) of a SCRAM message.
func scramAttr(msg string, name byte) string {
	for _, part := range strings.Split(msg, ",") {
		if len(part) >= 2 && part[0] == name && part[1] == '=' {
			return part[2:]
		}
	}
	return ""
}
